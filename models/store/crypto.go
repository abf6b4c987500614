package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// Personnel ID numbers are encrypted at rest with AES-256-GCM under the
// configured key: gorm callbacks on this store's own *gorm.DB encrypt
// Engineer.IDNumber before it is written and decrypt it after it is read,
// so no use case can forget to. The stored form is "v1:" + base64(nonce ||
// ciphertext); a value without the prefix is read as written (rows from
// before a key was configured).

const sealedPrefix = "v1:"

// sealer encrypts and decrypts with one key.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("encryption key must be 32 bytes (64 hex characters), got %d bytes", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plain string) string {
	if plain == "" || strings.HasPrefix(plain, sealedPrefix) {
		return plain
	}
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte("engineer.id_number"))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out)
}

var errUnsealable = errors.New("cannot decrypt a personnel ID number: wrong LEASELINE_ENCRYPTION_KEY?")

func (s *sealer) open(stored string) (string, error) {
	if !strings.HasPrefix(stored, sealedPrefix) {
		return stored, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(stored, sealedPrefix))
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", errUnsealable
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte("engineer.id_number"))
	if err != nil {
		return "", errUnsealable
	}
	return string(plain), nil
}

// registerSealing installs the callbacks on db.
func registerSealing(db *gorm.DB, s *sealer) error {
	forEngineers := func(tx *gorm.DB, fn func(e *models.Engineer) error) {
		if tx.Error != nil || tx.Statement.Schema == nil || tx.Statement.Schema.Table != "engineers" {
			return
		}
		if err := walkEngineers(tx.Statement.ReflectValue, fn); err != nil {
			_ = tx.AddError(err)
		}
	}
	seal := func(tx *gorm.DB) {
		forEngineers(tx, func(e *models.Engineer) error { e.IDNumber = s.seal(e.IDNumber); return nil })
	}
	open := func(tx *gorm.DB) {
		forEngineers(tx, func(e *models.Engineer) error {
			v, err := s.open(e.IDNumber)
			e.IDNumber = v
			return err
		})
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().Before("gorm:create").Register("leaseline:seal", seal),
		cb.Create().After("gorm:create").Register("leaseline:unseal_created", open),
		cb.Query().After("gorm:query").Register("leaseline:unseal", open),
	} {
		if err != nil {
			return fmt.Errorf("register encryption callbacks: %w", err)
		}
	}
	return nil
}

// walkEngineers calls fn on every Engineer held by v (a struct, a pointer
// or a slice of them).
func walkEngineers(v reflect.Value, fn func(*models.Engineer) error) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkEngineers(v.Elem(), fn)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := walkEngineers(v.Index(i), fn); err != nil {
				return err
			}
		}
	case reflect.Struct:
		if !v.CanAddr() {
			return nil
		}
		if e, ok := v.Addr().Interface().(*models.Engineer); ok {
			return fn(e)
		}
	}
	return nil
}

package models

import "time"

// CatalogVersion records one import of the catalog: what was applied (the
// file's content hash), from where, by whom and when.
type CatalogVersion struct {
	ID int64 `gorm:"primaryKey"`
	// Hash is the SHA-256 of the file's bytes, in hex.
	Hash string
	// Source says how it was imported: SourceStart (serve applied
	// LEASELINE_CATALOG at start), SourceCommand (leaseline catalog import)
	// or SourceSample (LEASELINE_CATALOG=sample).
	Source string
	// File is the path of the file imported.
	File string
	// ImportedBy names who imported it: the operating-system user and host
	// of the command, or "serve" for a start.
	ImportedBy string
	ImportedAt time.Time
	// Example is set when the file says on its first line that it is an
	// example catalog (placeholder channels, fictitious IDCs).
	Example bool
}

// Sources of a catalog version.
const (
	SourceStart   = "start"
	SourceCommand = "command"
	SourceSample  = "sample"
)

// Short is the first 12 hex digits of the hash, enough to tell versions apart.
func (v CatalogVersion) Short() string { return v.Hash[:min(len(v.Hash), 12)] }

package handlers

import (
	"strings"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// statusWord is a status in the reader's language (the seed's word in
// English; docs/glossary.md for the others).
func statusWord(p lang.Printer, s models.Status) string {
	if s == "" {
		return ""
	}
	return p.T("status." + strings.ReplaceAll(string(s), " ", ""))
}

package catalog

import (
	"fmt"
	"strings"

	"github.com/leaseline/leaseline/models"
)

// MissingChinese lists, one line per catalog entry, the names a valid
// catalog gives in English only: readers of Simplified Chinese see the
// English there. `catalog check` shows them as warnings; they never make a
// catalog invalid.
func MissingChinese(c *models.Catalog) []string {
	var out []string
	for _, r := range c.Regions {
		if r.NameZh == "" {
			out = append(out, fmt.Sprintf("region %s has no name_zh: zh-CN readers see %q", r.ID, r.Name))
		}
	}
	for _, p := range c.Providers {
		if p.NameZh == "" {
			out = append(out, fmt.Sprintf("provider %s has no name_zh: zh-CN readers see %q", p.ID, p.Name))
		}
	}
	for _, ap := range c.AccessPoints {
		var keys []string
		for _, k := range []struct{ key, zh string }{
			{"name_zh", ap.NameZh}, {"location_zh", ap.LocationZh},
			{"idc.name_zh", ap.IDCNameZh}, {"idc.address_zh", ap.IDCAddressZh},
		} {
			if k.zh == "" {
				keys = append(keys, k.key)
			}
		}
		if len(keys) > 0 {
			out = append(out, fmt.Sprintf("access point %s has no %s: zh-CN readers see the English", ap.ID, strings.Join(keys, ", ")))
		}
	}
	return out
}

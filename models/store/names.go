package store

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// fillNames sets the catalog names (access point, provider, region; in
// English and Chinese) and the region's time zone on rows, in three queries.
func fillNames(db *gorm.DB, rows []models.Connection) error {
	if len(rows) == 0 {
		return nil
	}
	apIDs, provIDs := map[string]bool{}, map[string]bool{}
	for i := range rows {
		apIDs[rows[i].AccessPointID], provIDs[rows[i].ProviderID] = true, true
	}
	var aps []models.AccessPoint
	if err := db.Select("id", "name", "name_zh", "region_id").Where("id IN ?", keys(apIDs)).Find(&aps).Error; err != nil {
		return fmt.Errorf("load access point names: %w", err)
	}
	regIDs := map[string]bool{}
	apByID := make(map[string]models.AccessPoint, len(aps))
	for _, ap := range aps {
		apByID[ap.ID], regIDs[ap.RegionID] = ap, true
	}
	var regs []models.Region
	if err := db.Select("id", "name", "name_zh", "time_zone").Where("id IN ?", keys(regIDs)).Find(&regs).Error; err != nil {
		return fmt.Errorf("load region names: %w", err)
	}
	regByID := make(map[string]models.Region, len(regs))
	for _, r := range regs {
		regByID[r.ID] = r
	}
	var provs []models.Provider
	if err := db.Select("id", "name", "name_zh").Where("id IN ?", keys(provIDs)).Find(&provs).Error; err != nil {
		return fmt.Errorf("load provider names: %w", err)
	}
	provByID := make(map[string]models.Provider, len(provs))
	for _, p := range provs {
		provByID[p.ID] = p
	}
	for i := range rows {
		c := &rows[i]
		ap := apByID[c.AccessPointID]
		r := regByID[ap.RegionID]
		p := provByID[c.ProviderID]
		c.AccessPointName, c.ProviderName, c.RegionName, c.TimeZone = ap.Name, p.Name, r.Name, r.TimeZone
		c.AccessPointNameZh, c.ProviderNameZh, c.RegionNameZh = ap.NameZh, p.NameZh, r.NameZh
	}
	return nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

package store

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// fillNames sets the catalog names (access point, provider, region; in
// English and Chinese) and the region's time zone on rows, in two queries
// (access points with their regions, providers) whatever their number.
func fillNames(db *gorm.DB, rows []models.Connection) error {
	if len(rows) == 0 {
		return nil
	}
	apIDs, provIDs := map[string]bool{}, map[string]bool{}
	for i := range rows {
		apIDs[rows[i].AccessPointID], provIDs[rows[i].ProviderID] = true, true
	}
	type apName struct {
		ID, Name, NameZh, RegionName, RegionNameZh, TimeZone string
	}
	var aps []apName
	err := db.Table("access_points AS ap").
		Select("ap.id, ap.name, ap.name_zh, r.name AS region_name, r.name_zh AS region_name_zh, r.time_zone").
		Joins("JOIN regions r ON r.id = ap.region_id").
		Where("ap.id IN ?", keys(apIDs)).Scan(&aps).Error
	if err != nil {
		return fmt.Errorf("load access point and region names: %w", err)
	}
	apByID := make(map[string]apName, len(aps))
	for _, ap := range aps {
		apByID[ap.ID] = ap
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
		p := provByID[c.ProviderID]
		c.AccessPointName, c.ProviderName, c.RegionName, c.TimeZone = ap.Name, p.Name, ap.RegionName, ap.TimeZone
		c.AccessPointNameZh, c.ProviderNameZh, c.RegionNameZh = ap.NameZh, p.NameZh, ap.RegionNameZh
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

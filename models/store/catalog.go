package store

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/leaseline/leaseline/models"
)

// ImportReport says what a catalog import changed.
type ImportReport struct {
	Regions, AccessPoints, Providers, Devices, PortsAdded, PortsRemoved, Reception int
	// ReceptionKept lists reception people ("access point name") missing
	// from the catalog who stay because a booked visit names them.
	ReceptionKept []string
}

// ImportCatalog applies a catalog in one transaction: regions, calendars,
// providers, access points and their offers, devices, ports and rotas are
// created or updated. Connections are never touched: a catalog that removes
// a port (or a device with a port) a connection holds is refused with a
// *models.PortsInUseError naming each; free ports it no longer lists are
// removed.
func (s *Store) ImportCatalog(ctx context.Context, cat *models.Catalog) (*ImportReport, error) {
	return s.ImportCatalogVersion(ctx, cat, nil)
}

// ImportCatalogVersion is ImportCatalog recording v (when not nil) as the
// catalog's newest version, in the same transaction.
func (s *Store) ImportCatalogVersion(ctx context.Context, cat *models.Catalog, v *models.CatalogVersion) (*ImportReport, error) {
	rep := &ImportReport{}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if v != nil {
			if err := tx.Create(v).Error; err != nil {
				return fmt.Errorf("record catalog version: %w", err)
			}
		}
		upsert := func(v any) error {
			return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(v).Error
		}
		for i := range cat.Regions {
			if err := upsert(&cat.Regions[i]); err != nil {
				return fmt.Errorf("region %s: %w", cat.Regions[i].ID, err)
			}
			if err := tx.Where("region_id = ?", cat.Regions[i].ID).Delete(&models.CalendarDay{}).Error; err != nil {
				return fmt.Errorf("clear calendar of %s: %w", cat.Regions[i].ID, err)
			}
		}
		if len(cat.CalendarDays) > 0 {
			if err := tx.CreateInBatches(cat.CalendarDays, 200).Error; err != nil {
				return fmt.Errorf("calendar days: %w", err)
			}
		}
		for i := range cat.Providers {
			if err := upsert(&cat.Providers[i]); err != nil {
				return fmt.Errorf("provider %s: %w", cat.Providers[i].ID, err)
			}
		}
		for i := range cat.AccessPoints {
			ap := cat.AccessPoints[i]
			provs, offers := ap.Providers, ap.PortTypes
			ap.Providers, ap.PortTypes = nil, nil
			if err := upsert(&ap); err != nil {
				return fmt.Errorf("access point %s: %w", ap.ID, err)
			}
			for _, child := range []any{&models.AccessPointProvider{}, &models.PortOffer{}} {
				if err := tx.Where("access_point_id = ?", ap.ID).Delete(child).Error; err != nil {
					return fmt.Errorf("access point %s: %w", ap.ID, err)
				}
			}
			for j := range provs {
				provs[j].AccessPointID = ap.ID
			}
			for j := range offers {
				offers[j].AccessPointID = ap.ID
			}
			if len(provs) > 0 {
				if err := tx.Create(&provs).Error; err != nil {
					return fmt.Errorf("access point %s providers: %w", ap.ID, err)
				}
			}
			if len(offers) > 0 {
				if err := tx.Create(&offers).Error; err != nil {
					return fmt.Errorf("access point %s port types: %w", ap.ID, err)
				}
			}
		}
		for i := range cat.Devices {
			if err := upsert(&cat.Devices[i]); err != nil {
				return fmt.Errorf("device %s: %w", cat.Devices[i].ID, err)
			}
		}
		if err := s.importPorts(tx, cat, rep); err != nil {
			return err
		}
		if err := s.importReception(tx, cat, rep); err != nil {
			return err
		}
		if err := s.checkAllLowWater(tx, cat.AccessPoints); err != nil {
			return err
		}
		rep.Regions, rep.AccessPoints, rep.Providers = len(cat.Regions), len(cat.AccessPoints), len(cat.Providers)
		rep.Devices, rep.Reception = len(cat.Devices), len(cat.Reception)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import catalog: %w", err)
	}
	return rep, nil
}

// importReception brings the rota of each access point of the catalog to
// the catalog's, matching people by name so that they keep their IDs,
// which booked visits name: listed people are updated or added; people no
// longer listed are removed, unless a visit names them (kept, reported).
func (s *Store) importReception(tx *gorm.DB, cat *models.Catalog, rep *ImportReport) error {
	var apIDs []string
	listed := map[string][]models.ReceptionPerson{}
	for _, ap := range cat.AccessPoints {
		apIDs = append(apIDs, ap.ID)
	}
	for _, r := range cat.Reception {
		if !slices.Contains(apIDs, r.AccessPointID) {
			apIDs = append(apIDs, r.AccessPointID)
		}
		listed[r.AccessPointID] = append(listed[r.AccessPointID], r)
	}
	for _, apID := range apIDs {
		var existing []models.ReceptionPerson
		if err := tx.Where("access_point_id = ?", apID).Order("id").Find(&existing).Error; err != nil {
			return fmt.Errorf("access point %s rota: %w", apID, err)
		}
		for _, r := range listed[apID] {
			i := slices.IndexFunc(existing, func(e models.ReceptionPerson) bool { return e.Name == r.Name })
			if i < 0 {
				r.ID = 0
				if err := tx.Create(&r).Error; err != nil {
					return fmt.Errorf("reception %s: %w", r.Name, err)
				}
				continue
			}
			old := existing[i]
			existing = slices.Delete(existing, i, i+1)
			if old.Phone != r.Phone || old.SlackUserID != r.SlackUserID || old.Weekdays != r.Weekdays {
				if err := tx.Model(&models.ReceptionPerson{}).Where("id = ?", old.ID).Updates(map[string]any{
					"phone": r.Phone, "slack_user_id": r.SlackUserID, "weekdays": r.Weekdays}).Error; err != nil {
					return fmt.Errorf("reception %s: %w", r.Name, err)
				}
			}
		}
		for _, old := range existing {
			var visits int64
			if err := tx.Model(&models.Visit{}).Where("reception_person_id = ?", old.ID).Count(&visits).Error; err != nil {
				return fmt.Errorf("reception %s: %w", old.Name, err)
			}
			if visits > 0 {
				rep.ReceptionKept = append(rep.ReceptionKept, apID+" "+old.Name)
				continue
			}
			if err := tx.Delete(&models.ReceptionPerson{}, old.ID).Error; err != nil {
				return fmt.Errorf("remove reception %s: %w", old.Name, err)
			}
		}
	}
	return nil
}

// importPorts adds the catalog's new ports, updates the type and state of
// free ones, and removes free ports the catalog no longer lists, also those
// of devices it no longer lists at its access points.
func (s *Store) importPorts(tx *gorm.DB, cat *models.Catalog, rep *ImportReport) error {
	type key struct{ device, name string }
	listed := make(map[key]models.Port, len(cat.Ports))
	for _, p := range cat.Ports {
		listed[key{p.DeviceID, p.Name}] = p
	}
	devices := make([]string, 0, len(cat.Devices))
	for _, d := range cat.Devices {
		devices = append(devices, d.ID)
	}
	aps := make([]string, 0, len(cat.AccessPoints))
	for _, ap := range cat.AccessPoints {
		aps = append(aps, ap.ID)
	}
	var existing []models.Port
	if len(devices) > 0 || len(aps) > 0 {
		if err := tx.Where("device_id IN ? OR access_point_id IN ?", devices, aps).Order("id").Find(&existing).Error; err != nil {
			return fmt.Errorf("load ports: %w", err)
		}
	}
	var held []models.Port
	for _, p := range existing {
		k := key{p.DeviceID, p.Name}
		want, ok := listed[k]
		delete(listed, k)
		switch {
		case p.State == models.PortAllocated:
			if !ok {
				held = append(held, p)
			}
		case !ok:
			if err := tx.Delete(&models.Port{}, p.ID).Error; err != nil {
				return fmt.Errorf("remove port %s %s: %w", p.DeviceID, p.Name, err)
			}
			rep.PortsRemoved++
		case want.PortType != p.PortType || want.State != p.State:
			if err := tx.Model(&models.Port{}).Where("id = ?", p.ID).
				Updates(map[string]any{"port_type": want.PortType, "state": want.State}).Error; err != nil {
				return fmt.Errorf("update port %s %s: %w", p.DeviceID, p.Name, err)
			}
		}
	}
	if len(held) > 0 {
		return portsInUse(tx, held)
	}
	var add []models.Port
	for _, p := range cat.Ports {
		if _, ok := listed[key{p.DeviceID, p.Name}]; ok {
			p.ID, p.ConnectionID = 0, nil
			if p.State == "" {
				p.State = models.PortFree
			}
			add = append(add, p)
		}
	}
	if len(add) > 0 {
		if err := tx.CreateInBatches(add, 200).Error; err != nil {
			return fmt.Errorf("add ports: %w", err)
		}
	}
	rep.PortsAdded = len(add)
	return nil
}

// Empty reports whether no catalog has been loaded yet (no region).
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.Region{}).Count(&n).Error; err != nil {
		return false, fmt.Errorf("count regions: %w", err)
	}
	return n == 0, nil
}

// portsInUse is the refusal of a catalog that removes the held ports: each
// with the connection that holds it.
func portsInUse(tx *gorm.DB, held []models.Port) error {
	ids := make([]int64, 0, len(held))
	for _, p := range held {
		if p.ConnectionID != nil {
			ids = append(ids, *p.ConnectionID)
		}
	}
	var conns []models.Connection
	if err := tx.Where("id IN ?", ids).Find(&conns).Error; err != nil {
		return fmt.Errorf("load connections holding ports: %w", err)
	}
	byID := make(map[int64]*models.Connection, len(conns))
	for i := range conns {
		byID[conns[i].ID] = &conns[i]
	}
	e := &models.PortsInUseError{}
	for _, p := range held {
		h := models.PortHold{DeviceID: p.DeviceID, Port: p.Name, Connection: "a connection"}
		if p.ConnectionID != nil {
			h.Connection = models.ApplicationRef(*p.ConnectionID)
			if c := byID[*p.ConnectionID]; c != nil {
				h.Connection, h.Status = c.DisplayID()+" ("+models.ApplicationRef(c.ID)+")", c.Status
			}
		}
		e.Holds = append(e.Holds, h)
	}
	return e
}

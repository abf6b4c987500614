package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// The port inventory: what staff see (`ports`, App Home, /metrics), the
// access points shown full when no port they offer is free, and the
// low-water alert. A port counts in use while it is allocated and free
// while payment could allocate it (the allocator's own test, state =
// free), so a port given back counts free at once, whoever gives it back.

// PortCounts counts the ports of one access point ("" for all) by access
// point, device, type and state.
func (s *Store) PortCounts(ctx context.Context, accessPointID string) ([]models.PortCount, error) {
	return portCounts(s.db.WithContext(ctx), accessPointID, true)
}

// portCounts groups the ports by access point, type and state, and by
// device too when byDevice.
func portCounts(db *gorm.DB, accessPointID string, byDevice bool) ([]models.PortCount, error) {
	cols := "access_point_id, port_type, state"
	if byDevice {
		cols = "access_point_id, device_id, port_type, state"
	}
	q := db.Model(&models.Port{}).Select(cols + ", COUNT(*) AS n").Group(cols)
	if accessPointID != "" {
		q = q.Where("access_point_id = ?", accessPointID)
	}
	var out []models.PortCount
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("count ports: %w", err)
	}
	return out, nil
}

// Inventory is, per access point ("" for all) and port type, its ports in
// total, in use and free, and free per device.
func (s *Store) Inventory(ctx context.Context, accessPointID string) ([]models.PortStock, error) {
	counts, err := s.PortCounts(ctx, accessPointID)
	if err != nil {
		return nil, err
	}
	return models.Stock(counts), nil
}

// markFull shows as full (Status APFull, NoFreePort) each access point the
// catalog opens but where no port of any type it offers is free. One query
// probes each offer for a free port (the partial index of free ports).
func markFull(db *gorm.DB, aps []models.AccessPoint) error {
	var ids []string
	for _, ap := range aps {
		if ap.Status.Open() {
			ids = append(ids, ap.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var withFree []string
	err := db.Raw(`SELECT DISTINCT o.access_point_id FROM port_offers o WHERE o.access_point_id IN ?
		AND EXISTS (SELECT 1 FROM ports p WHERE p.access_point_id = o.access_point_id AND p.port_type = o.port_type AND p.state = ?)`,
		ids, models.PortFree).Scan(&withFree).Error
	if err != nil {
		return fmt.Errorf("find access points with free ports: %w", err)
	}
	free := make(map[string]bool, len(withFree))
	for _, id := range withFree {
		free[id] = true
	}
	for i := range aps {
		if aps[i].Status.Open() && !free[aps[i].ID] {
			aps[i].Status, aps[i].NoFreePort = models.APFull, true
		}
	}
	return nil
}

// portLowWater remembers, per access point and port type, whether staff
// were alerted that the free ports fell to the mark (and the count has not
// risen above it since).
type portLowWater struct {
	AccessPointID string          `gorm:"primaryKey"`
	PortType      models.PortType `gorm:"primaryKey"`
	Alerted       bool
	Alerts        int // alerts sent so far: numbers each one's notice
	ChangedAt     time.Time
}

func (portLowWater) TableName() string { return "port_low_water" }

// checkLowWater counts the free ports of a type at an access point and,
// when they fell to the access point's mark, records one alert to the
// staff channel; when they rose above it, re-arms the alert. It runs in
// the transaction that took or gave back the port, after the change, and
// first locks the row of the (access point, type) pair: transactions
// changing ports of the pair at once, on any replica, count one after the
// other, each after the one before committed (a statement of PostgreSQL's
// read committed sees every commit before it; SQLite's write lock orders
// them anyway), so the last one counts the final state and a fall alerts
// once.
func (s *Store) checkLowWater(tx *gorm.DB, accessPointID string, pt models.PortType) error {
	var ap struct {
		Name     string
		NameZh   string
		LowWater int
	}
	var row portLowWater
	now := s.now()
	const apQuery = `SELECT a.name, a.name_zh, a.low_water FROM access_points a JOIN port_offers o ON o.access_point_id = a.id AND o.port_type = ?
		WHERE a.id = ? AND a.status IN ?`
	apArgs := []any{pt, accessPointID, []models.AccessPointStatus{models.APRecommended, models.APHot}}
	// Insert the pair's row or, when it exists, lock it (the no-op update),
	// and read it, in one statement; on PostgreSQL with the access point's
	// mark, in the same statement.
	const lockQuery = `INSERT INTO port_low_water (access_point_id, port_type, alerted, alerts, changed_at) VALUES (?, ?, ?, 0, ?)
		ON CONFLICT (access_point_id, port_type) DO UPDATE SET alerted = port_low_water.alerted
		RETURNING access_point_id, port_type, alerted, alerts, changed_at`
	if s.dialect == "postgres" {
		var got struct {
			Name, NameZh string
			LowWater     int
			Alerted      bool
			Alerts       int
		}
		err := tx.Raw(`WITH ap AS (`+apQuery+`),
			lw AS (INSERT INTO port_low_water (access_point_id, port_type, alerted, alerts, changed_at) SELECT ?, ?, ?, 0, ? FROM ap
				ON CONFLICT (access_point_id, port_type) DO UPDATE SET alerted = port_low_water.alerted
				RETURNING alerted, alerts)
			SELECT ap.name, ap.name_zh, ap.low_water, lw.alerted, lw.alerts FROM ap, lw`,
			append(apArgs, accessPointID, pt, false, now)...).Scan(&got).Error
		if err != nil {
			return fmt.Errorf("lock low-water row of %s %s: %w", accessPointID, pt, err)
		}
		ap.Name, ap.NameZh, ap.LowWater = got.Name, got.NameZh, got.LowWater
		row.Alerted, row.Alerts = got.Alerted, got.Alerts
		if ap.Name == "" {
			return nil // not offered, or not taking applications: nobody to warn
		}
	} else {
		if err := tx.Raw(apQuery, apArgs...).Scan(&ap).Error; err != nil {
			return fmt.Errorf("low water of %s: %w", accessPointID, err)
		}
		if ap.Name == "" {
			return nil // not offered, or not taking applications: nobody to warn
		}
		if err := tx.Raw(lockQuery, accessPointID, pt, false, now).Scan(&row).Error; err != nil {
			return fmt.Errorf("lock low-water row of %s %s: %w", accessPointID, pt, err)
		}
	}
	// Counting stops past the mark (the partial index of free ports): the
	// check costs the same with 10 free ports as with 10,000.
	var free int
	if err := tx.Raw(`SELECT COUNT(*) FROM (SELECT 1 FROM ports WHERE access_point_id = ? AND port_type = ? AND state = ? LIMIT ?) f`,
		accessPointID, pt, models.PortFree, ap.LowWater+1).Scan(&free).Error; err != nil {
		return fmt.Errorf("count free ports of %s %s: %w", accessPointID, pt, err)
	}
	change := models.LowWater(free, ap.LowWater, row.Alerted)
	if change == models.LowWaterSame {
		return nil
	}
	alert := change == models.LowWaterAlert
	if alert {
		row.Alerts++
	}
	if err := tx.Model(&portLowWater{}).Where("access_point_id = ? AND port_type = ?", accessPointID, pt).
		Updates(map[string]any{"alerted": alert, "alerts": row.Alerts, "changed_at": now}).Error; err != nil {
		return fmt.Errorf("record low water: %w", err)
	}
	if !alert || s.cfg.StaffChannel == "" {
		return nil
	}
	var inUse int
	if err := tx.Model(&models.Port{}).Where("access_point_id = ? AND port_type = ? AND state = ?", accessPointID, pt, models.PortAllocated).
		Select("COUNT(*)").Scan(&inUse).Error; err != nil {
		return fmt.Errorf("count ports in use at %s %s: %w", accessPointID, pt, err)
	}
	data, err := json.Marshal(models.LowPortsNoticeData{AccessPointID: accessPointID, AccessPoint: ap.Name, AccessPointZh: ap.NameZh, PortType: pt,
		Free: free, InUse: inUse, LowWater: ap.LowWater})
	if err != nil {
		return fmt.Errorf("encode low-water notice: %w", err)
	}
	return s.addNotice(tx, &models.Notice{
		Key:  fmt.Sprintf("ports/%s/%s/low/%d", accessPointID, pt, row.Alerts),
		Kind: models.NoticeLowPorts, Channel: s.cfg.StaffChannel, Data: string(data),
		State: models.NoticePending, NextAttemptAt: now, CreatedAt: now,
	})
}

// checkAllLowWater runs the low-water check of every offer of the access
// points of a catalog being imported (ports added or removed move counts),
// after its ports were written.
func (s *Store) checkAllLowWater(tx *gorm.DB, aps []models.AccessPoint) error {
	for _, ap := range aps {
		for _, o := range ap.PortTypes {
			if err := s.checkLowWater(tx, ap.ID, o.PortType); err != nil {
				return err
			}
		}
	}
	return nil
}

// portsCollector exports leaseline_ports{access_point,port_type,state},
// read from the database at scrape time with one grouped count (an
// index-only scan of ports_free), and leaseline_ports_low_water
// {access_point} of the access points taking applications.
type portsCollector struct {
	s        *Store
	desc     *prometheus.Desc
	lowWater *prometheus.Desc
}

func newPortsCollector(s *Store) *portsCollector {
	return &portsCollector{s: s,
		desc: prometheus.NewDesc("leaseline_ports",
			"Device ports by access point, port type and state (in_use: allocated to a connection; free: payment can allocate it). Down ports are not counted.",
			[]string{"access_point", "port_type", "state"}, nil),
		lowWater: prometheus.NewDesc("leaseline_ports_low_water",
			"The catalog's low-water mark of each access point taking applications: staff are alerted when the free ports of a type fall to it.",
			[]string{"access_point"}, nil)}
}

func (c *portsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.desc
	ch <- c.lowWater
}

// scrapeTimeout bounds the count a scrape waits for.
const scrapeTimeout = 5 * time.Second

func (c *portsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	counts, err := portCounts(c.s.db.WithContext(ctx), "", false)
	if err != nil {
		c.s.log.ErrorContext(ctx, "scrape ports", "err", err)
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, st := range models.Stock(counts) {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(st.InUse), st.AccessPointID, string(st.PortType), "in_use")
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(st.Free), st.AccessPointID, string(st.PortType), "free")
	}
	var marks []models.AccessPoint
	if err := c.s.db.WithContext(ctx).Select("id", "low_water").Where("status IN ?", []models.AccessPointStatus{models.APRecommended, models.APHot}).
		Find(&marks).Error; err != nil {
		c.s.log.ErrorContext(ctx, "scrape low-water marks", "err", err)
		ch <- prometheus.NewInvalidMetric(c.lowWater, err)
		return
	}
	for _, ap := range marks {
		ch <- prometheus.MustNewConstMetric(c.lowWater, prometheus.GaugeValue, float64(ap.LowWater), ap.ID)
	}
}

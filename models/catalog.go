package models

// Catalog is everything the operator configures: regions and their
// calendars, service providers, access points with their offers, devices,
// ports and reception rotas. The catalog file (models/catalog) parses into
// it; the store applies it without touching connections.
type Catalog struct {
	Regions      []Region
	CalendarDays []CalendarDay
	Providers    []Provider
	AccessPoints []AccessPoint // with Providers and PortTypes filled
	Devices      []Device
	Ports        []Port // ID zero; identified by (DeviceID, Name)
	Reception    []ReceptionPerson
}

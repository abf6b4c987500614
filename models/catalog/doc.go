// Package catalog reads the catalog file: the YAML in which the operator
// describes regions and their workday calendars, service providers and
// access points with their offers, devices, ports and reception rotas. It
// parses into the flat models.Catalog that the store applies.
//
// The file is nested for people and checked strictly; FORMAT.md (included in
// the README) documents every key with its type, default and rule. In short:
//
//	version: 1                          # optional, must be 1
//	regions:                            # at least one
//	  - id, name, time_zone             # required; time_zone an IANA name
//	    weekend: [Sat, Sun]             # default [Sat, Sun]
//	    holidays: [{date, name} | {from, to, name}]
//	    workdays: [...]                 # make-up working days, on weekend days
//	providers:                          # at least one
//	  - id, kind, name                  # kind: CT, CU, CM, CO, Equinix, Other
//	    slack_channel, contacts         # optional
//	    language                        # en or zh-CN: its channel's default
//	access_points:                      # at least one
//	  - id, region, name, location      # required; region an id above
//	    idc: {name, address}            # required
//	    status                          # recommended, hot, full, disabled
//	    providers: [ids]                # at least one, ids above
//	    daily_visit_capacity            # required, >= 1
//	    visit_window: "HH:MM-HH:MM"     # default "09:00-17:00"
//	    lockdowns: [day list]           # IDC lock-down days
//	    port_types:                     # at least one
//	      - {type, min_mbps, max_mbps, price, currency}
//	    devices:
//	      - id, name                    # name defaults to id
//	        ports: ["Gi1/0/1-24: 1000Base-LX", {name, type, state: free|down}]
//	    reception:
//	      - {name, phone, slack_user, weekdays}   # weekdays default every day
//
// Parse collects every problem, not just the first, and returns them as
// Errors, each with its file, line and path, e.g.
//
//	catalog.yaml:42: access_points[3].port_types[1].type: SDH 155M CPOS is not supported: ...
//
// Load reads a file and parses it; Sample returns the built-in sample
// catalog, the same file as deploy/catalog.sample.yaml.
package catalog

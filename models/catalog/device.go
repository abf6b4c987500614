package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/leaseline/leaseline/models"
)

// device reads one device and its ports.
func (p *parser) device(s *state, n *yaml.Node, path string, ap *models.AccessPoint, offers map[models.PortType]offerInfo, seenTypes map[models.PortType]bool) {
	f := p.mapping(n, path, "id", "name", "ports")
	if f == nil {
		return
	}
	id, _ := p.id(f, s.devices, "device")
	name, _ := f.str("name", false)
	if name == "" {
		name = id
	}
	s.c.Devices = append(s.c.Devices, models.Device{ID: id, AccessPointID: ap.ID, Name: name})
	portsPath := join(path, "ports")
	items := f.nonEmptyList("ports", "list the device's ports")
	names := map[string]int{}
	for i, pn := range items {
		pp := index(portsPath, i)
		pn = p.resolve(pn)
		if pn == nil {
			continue
		}
		var nameText, typeText, stateText string
		var nameNode, typeNode, stateNode *yaml.Node
		switch {
		case pn.Kind == yaml.ScalarNode && !isNull(pn):
			k := strings.LastIndex(pn.Value, ":")
			if k < 0 {
				p.errorf(pn, pp, "%q: want \"NAME: TYPE\" (NAME may end in a range, e.g. \"GigabitEthernet1/0/1-24: 1000Base-LX\") or {name, type, state}", pn.Value)
				continue
			}
			nameText, typeText = strings.TrimSpace(pn.Value[:k]), strings.TrimSpace(pn.Value[k+1:])
			nameNode, typeNode = pn, pn
		case pn.Kind == yaml.MappingNode && len(pn.Content) == 2 && !slices.Contains([]string{"name", "type", "state"}, pn.Content[0].Value):
			p.errorf(pn, pp, "a port is a quoted string \"NAME: TYPE\" or a mapping {name, type, state}; quote it: \"%s: %s\"", pn.Content[0].Value, pn.Content[1].Value)
			continue
		default:
			g := p.mapping(pn, pp, "name", "type", "state")
			if g == nil {
				continue
			}
			nameText, nameNode = g.str("name", true)
			typeText, typeNode = g.str("type", true)
			stateText, stateNode = g.str("state", false)
			if nameNode == nil || typeNode == nil {
				continue
			}
		}
		portState := models.PortFree
		if stateNode != nil {
			switch strings.ToLower(stateText) {
			case "free":
			case "down":
				portState = models.PortDown
			default:
				p.errorf(stateNode, join(pp, "state"), "%q is not a port state here: use free (the default) or down; the bot allocates ports itself", stateText)
				continue
			}
		}
		if nameText == "" {
			p.errorf(nameNode, pp, "the port name is empty")
			continue
		}
		pt, err := models.ParsePortType(typeText)
		if err != nil {
			p.errorf(typeNode, pp, "%s", ruleMessage(err))
			continue
		}
		if _, offered := offers[pt]; !offered {
			p.errorf(typeNode, pp, "%s is not offered at %s (its port_types: %s); list it in port_types first or fix the port", pt, ap.ID, offeredList(ap))
			continue
		}
		portNames, msg := expand(nameText)
		if msg != "" {
			p.errorf(nameNode, pp, "%s", msg)
			continue
		}
		if portState == models.PortFree {
			seenTypes[pt] = true
		}
		for _, pnName := range portNames {
			if line, dup := names[pnName]; dup {
				p.errorf(nameNode, pp, "port %s is already listed on device %s at line %d", pnName, id, line)
				continue
			}
			names[pnName] = nameNode.Line
			s.c.Ports = append(s.c.Ports, models.Port{DeviceID: id, Name: pnName, AccessPointID: ap.ID, PortType: pt, State: portState})
		}
	}
}

func offeredList(ap *models.AccessPoint) string {
	if len(ap.PortTypes) == 0 {
		return "none"
	}
	ts := make([]string, len(ap.PortTypes))
	for i, o := range ap.PortTypes {
		ts[i] = string(o.PortType)
	}
	return strings.Join(ts, ", ")
}

// expand turns "GigabitEthernet1/0/1-24" into its 24 names; a name without
// a trailing range is returned as is. Leading zeros set the width.
func expand(name string) ([]string, string) {
	m := rangePattern.FindStringSubmatch(name)
	if m == nil {
		return []string{name}, ""
	}
	lo, err1 := strconv.Atoi(m[2])
	hi, err2 := strconv.Atoi(m[3])
	if err1 != nil || err2 != nil || lo > hi {
		return nil, fmt.Sprintf("%q: the range %s-%s must go up, e.g. 1-24", name, m[2], m[3])
	}
	if hi-lo+1 > maxPortRange {
		return nil, fmt.Sprintf("%q: the range has %d ports; at most %d are allowed in one entry", name, hi-lo+1, maxPortRange)
	}
	width := 0
	if len(m[2]) > 1 && m[2][0] == '0' {
		width = len(m[2])
	}
	out := make([]string, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		out = append(out, fmt.Sprintf("%s%0*d", m[1], width, i))
	}
	return out, ""
}

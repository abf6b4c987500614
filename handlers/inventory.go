package handlers

// The port inventory staff see: `/leaseline ports [access-point]`, its
// glance in the staff App Home, and the low-water alert; and the list's
// --all (connections that ended long ago).

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// listArgs reads the arguments of `list` (and the value of its page
// buttons): "--all" (or "all") and a page number, in any order.
func listArgs(s string) (page int, all bool) {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == ':' }) {
		switch w = strings.ToLower(strings.TrimLeft(w, "-#")); w {
		case "all":
			all = true
		default:
			if n, err := strconv.Atoi(w); err == nil {
				page = n
			}
		}
	}
	return page, all
}

// listValue is the value of a page button: "2", or "all:2" with --all.
func listValue(page int, all bool) string {
	if all {
		return "all:" + strconv.Itoa(page)
	}
	return strconv.Itoa(page)
}

// listScope tells, after a list's heading, which ended connections it
// shows.
func listScope(p lang.Printer, all bool) string {
	if all {
		return p.T("commands.list_scope_all")
	}
	return p.T("commands.list_scope_recent")
}

// cmdPorts is `ports [ACCESS-POINT]` (staff only): per access point and port
// type, the ports in total, in use and free, and free per device.
func (a *App) cmdPorts(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	a.ports(ctx, a.forUser(ctx, cmd.UserID), cmd, rest)
}

// ports is cmdPorts answering in p's language.
func (a *App) ports(ctx context.Context, p lang.Printer, cmd *slack.SlashCommand, rest string) {
	if _, ok := a.staffActor(ctx, cmd); !ok {
		return
	}
	cv, err := a.loadCatalog(ctx)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	apID := ""
	if ref, _ := splitWord(rest); ref != "" {
		ap := cv.accessPoint(ref)
		if ap == nil {
			a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":warning: "+p.T("catalog.ports_not_an_ap", lang.Args{"Ref": fmt.Sprintf("%q", ref)}))
			return
		}
		apID = ap.ID
	}
	stock, err := a.store.Inventory(ctx, apID)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	blocks := []slack.Block{section(p.T("catalog.ports_intro"))}
	for _, g := range cv.byRegion(func(ap *models.AccessPoint) bool { return apID == "" || ap.ID == apID }) {
		for _, ap := range g.aps {
			blocks = append(blocks, section(truncate(apPortsText(p, ap, stockOf(stock, ap.ID), true), maxPlainText)))
		}
	}
	if len(blocks) > maxMessageBlocks {
		blocks = append(blocks[:maxMessageBlocks-1], contextText(p.T("catalog.ports_more_one")))
	}
	a.replyBlocks(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, blocks)
}

// stockOf keeps the stock of one access point.
func stockOf(all []models.PortStock, apID string) []models.PortStock {
	var out []models.PortStock
	for _, st := range all {
		if st.AccessPointID == apID {
			out = append(out, st)
		}
	}
	return out
}

// apPortsText is one access point's ports: a line per port type, with the
// free ports per device when perDevice.
func apPortsText(p lang.Printer, ap *models.AccessPoint, stock []models.PortStock, perDevice bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* `%s` · %s\n", esc(named(p, ap.Name, ap.NameZh)), esc(ap.ID), apStatusText(p, ap))
	if len(stock) == 0 {
		b.WriteString(p.T("catalog.ports_none") + "\n")
	}
	for _, st := range stock {
		fmt.Fprintf(&b, "`%s` %s", st.PortType, p.T("catalog.ports_line", lang.Args{"Total": st.Total, "InUse": st.InUse, "Free": st.Free}))
		if st.Down > 0 {
			b.WriteString(" · " + p.T("catalog.ports_down", lang.Args{"Down": st.Down}))
		}
		if _, offered := ap.Offer(st.PortType); offered && st.Free <= ap.LowWater && ap.Status.Open() {
			b.WriteString(" :warning: " + p.T("catalog.ports_low_water", lang.Args{"LowWater": ap.LowWater}))
		}
		b.WriteString("\n")
		if perDevice && len(st.FreeByDevice) > 0 {
			parts := make([]string, 0, len(st.FreeByDevice))
			for _, d := range st.FreeByDevice {
				parts = append(parts, fmt.Sprintf("%s %d", esc(d.DeviceID), d.Free))
			}
			b.WriteString("    " + p.T("catalog.ports_free_per_device", lang.Args{"Devices": strings.Join(parts, ", ")}) + "\n")
		}
	}
	return b.String()
}

// apStatusText is an access point's status as staff read it: full for want
// of ports is told apart from full in the catalog.
func apStatusText(p lang.Printer, ap *models.AccessPoint) string {
	if ap.NoFreePort {
		return ":red_circle: " + p.T("catalog.ap_no_free_port")
	}
	return statusWords(p, ap.Status)
}

// inventoryGlance is the staff App Home's ports at a glance: per access
// point, each port type's free and in-use ports.
func (a *App) inventoryGlance(ctx context.Context, p lang.Printer) ([]slack.Block, error) {
	cv, err := a.loadCatalog(ctx)
	if err != nil {
		return nil, err
	}
	stock, err := a.store.Inventory(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("port inventory: %w", err)
	}
	var lines []string
	for _, g := range cv.byRegion(anyAP) {
		for _, ap := range g.aps {
			lines = append(lines, strings.TrimSuffix(apPortsText(p, ap, stockOf(stock, ap.ID), true), "\n"))
		}
	}
	if len(lines) == 0 {
		return nil, nil
	}
	blocks := []slack.Block{section(p.T("catalog.ports_glance"))}
	var cur strings.Builder
	for _, l := range lines {
		if cur.Len()+len(l)+1 > maxPlainText-100 && cur.Len() > 0 {
			blocks = append(blocks, section(cur.String()))
			cur.Reset()
		}
		cur.WriteString(truncate(l, maxPlainText-200) + "\n")
	}
	blocks = append(blocks, section(cur.String()))
	const most = 6
	if len(blocks) > most {
		blocks = append(blocks[:most-1], contextText(p.T("catalog.ports_more_all")))
	}
	return blocks, nil
}

// renderLowPorts renders a low_ports notice to staff.
func renderLowPorts(p lang.Printer, n models.Notice) ([]slack.Block, string, error) {
	d := noticeData[models.LowPortsNoticeData](n)
	apName := named(p, d.AccessPoint, d.AccessPointZh)
	title := p.T("catalog.low_ports_title")
	intro := p.N("catalog.low_ports_intro", d.Free, lang.Args{
		"PortType": esc(string(d.PortType)), "AccessPoint": esc(apName), "AccessPointID": esc(d.AccessPointID),
		"InUse": d.InUse, "LowWater": d.LowWater})
	blocks := []slack.Block{slack.NewHeaderBlock(plain(title)), section(intro),
		contextText(p.T("catalog.low_ports_once"))}
	return blocks, p.T("catalog.low_ports_text", lang.Args{"Title": title, "Free": d.Free, "PortType": string(d.PortType), "AccessPoint": apName}), nil
}

// fullForWantOfPorts names, for the apply form, the access points shown
// full because no port they offer is free ("" when none is).
func fullForWantOfPorts(p lang.Printer, cv *catalogView) string {
	var names []string
	for i := range cv.aps {
		if cv.aps[i].NoFreePort {
			names = append(names, esc(named(p, cv.aps[i].Name, cv.aps[i].NameZh)))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return truncate(" "+p.T("catalog.full_no_free_port", lang.Args{"Names": strings.Join(names, ", ")}), 1000)
}

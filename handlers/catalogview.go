package handlers

// The catalog as users see it: the access points by region with their
// offers and status (`/leaseline access-points`, the panel's Access points),
// and the access point selects of the apply and enquiry forms.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// catalogView is the access points, regions and providers, read once per
// request.
type catalogView struct {
	regions   []models.Region
	aps       []models.AccessPoint
	providers map[string]models.Provider
}

func (a *App) loadCatalog(ctx context.Context) (*catalogView, error) {
	regions, err := a.store.Regions(ctx)
	if err != nil {
		return nil, fmt.Errorf("load regions: %w", err)
	}
	aps, err := a.store.AccessPoints(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("load access points: %w", err)
	}
	provs, err := a.store.Providers(ctx)
	if err != nil {
		return nil, fmt.Errorf("load providers: %w", err)
	}
	cv := &catalogView{regions: regions, aps: aps, providers: make(map[string]models.Provider, len(provs))}
	for _, p := range provs {
		cv.providers[p.ID] = p
	}
	return cv, nil
}

// region returns the region of id (a zero Region named id when unknown).
func (cv *catalogView) region(id string) models.Region {
	for _, r := range cv.regions {
		if r.ID == id {
			return r
		}
	}
	return models.Region{ID: id, Name: id}
}

// accessPoint finds an access point by ID or name, ignoring case.
func (cv *catalogView) accessPoint(ref string) *models.AccessPoint {
	for i := range cv.aps {
		if strings.EqualFold(cv.aps[i].ID, ref) || strings.EqualFold(cv.aps[i].Name, ref) {
			return &cv.aps[i]
		}
	}
	return nil
}

// providerName names a provider ID.
func (cv *catalogView) providerName(w lang.Printer, id string) string {
	if p, ok := cv.providers[id]; ok && (p.Name != "" || p.NameZh != "") {
		return named(w, p.Name, p.NameZh)
	}
	return id
}

// byRegion groups access points by region, in the regions' order, keeping
// those keep accepts.
func (cv *catalogView) byRegion(keep func(*models.AccessPoint) bool) []regionAPs {
	var out []regionAPs
	for _, r := range cv.regions {
		g := regionAPs{region: r}
		for i := range cv.aps {
			if cv.aps[i].RegionID == r.ID && keep(&cv.aps[i]) {
				g.aps = append(g.aps, &cv.aps[i])
			}
		}
		if len(g.aps) > 0 {
			out = append(out, g)
		}
	}
	return out
}

type regionAPs struct {
	region models.Region
	aps    []*models.AccessPoint
}

// statusWords explains an access point status to a customer.
func statusWords(p lang.Printer, s models.AccessPointStatus) string {
	switch s {
	case models.APRecommended:
		return ":large_green_circle: " + p.T("catalog.ap_recommended")
	case models.APHot:
		return ":large_orange_circle: " + p.T("catalog.ap_hot")
	case models.APFull:
		return ":red_circle: " + p.T("catalog.ap_full")
	case models.APDisabled:
		return ":no_entry: " + p.T("catalog.ap_disabled")
	}
	return esc(string(s))
}

// thousands formats n with thousands separators: "10,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mbps formats a bandwidth: "1,000 Mbps".
func mbps(n int) string { return thousands(n) + " Mbps" }

// offerText lists an access point's port types with their bandwidth ranges.
func offerText(p lang.Printer, ap *models.AccessPoint) string {
	var parts []string
	for _, pt := range ap.OfferedTypes() {
		o, _ := ap.Offer(pt)
		parts = append(parts, fmt.Sprintf("%s %s–%s", pt, thousands(o.MinMbps), mbps(o.MaxMbps)))
	}
	if len(parts) == 0 {
		return p.T("catalog.offer_none")
	}
	return strings.Join(parts, "; ")
}

// apEntry is one access point in the list.
func (cv *catalogView) apEntry(p lang.Printer, ap *models.AccessPoint) string {
	provs := make([]string, 0, len(ap.Providers))
	for _, pr := range ap.Providers {
		provs = append(provs, esc(cv.providerName(p, pr.ProviderID)))
	}
	slices.Sort(provs)
	return fmt.Sprintf("*%s* `%s` · %s\n%s\n%s\n%s\n",
		esc(named(p, ap.Name, ap.NameZh)), esc(ap.ID), apStatusText(p, ap), esc(locationNamed(p, ap)),
		p.T("catalog.ap_providers", lang.Args{"Providers": strings.Join(provs, ", ")}),
		p.T("catalog.ap_port_types", lang.Args{"Offers": esc(offerText(p, ap))}))
}

func (a *App) cmdAccessPoints(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	blocks, err := a.accessPointBlocks(ctx, a.forUser(ctx, cmd.UserID), rest)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	a.replyBlocks(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, blocks)
}

// accessPointBlocks lists the access points grouped by region (one region
// when filter names one), within a message's 50 blocks.
func (a *App) accessPointBlocks(ctx context.Context, p lang.Printer, filter string) ([]slack.Block, error) {
	cv, err := a.loadCatalog(ctx)
	if err != nil {
		return nil, err
	}
	filter = strings.TrimSpace(filter)
	var only string
	if filter != "" {
		for _, r := range cv.regions {
			if strings.EqualFold(r.ID, filter) || strings.EqualFold(r.Name, filter) {
				only = r.ID
			}
		}
		if only == "" {
			return []slack.Block{section(p.T("catalog.no_region", lang.Args{"Region": esc(truncate(filter, 64)), "Regions": cv.regionList()}))}, nil
		}
	}
	groups := cv.byRegion(func(ap *models.AccessPoint) bool { return only == "" || ap.RegionID == only })
	blocks := []slack.Block{slack.NewHeaderBlock(plain(p.T("catalog.title")))}
	const room = maxMessageBlocks - 2 // the header and the closing note
	cut := false
	for _, g := range groups {
		var cur strings.Builder
		cur.WriteString(fmt.Sprintf(":earth_asia: *%s* `%s`\n", esc(regionName(p, g.region)), esc(g.region.ID)))
		var chunks []string
		for _, ap := range g.aps {
			e := cv.apEntry(p, ap)
			if cur.Len()+len(e)+1 > maxPlainText-100 {
				chunks = append(chunks, cur.String())
				cur.Reset()
			}
			cur.WriteString(e + "\n")
		}
		chunks = append(chunks, cur.String())
		for _, ch := range chunks {
			if len(blocks) >= room {
				cut = true
				break
			}
			blocks = append(blocks, section(ch))
		}
	}
	if len(groups) == 0 {
		blocks = append(blocks, section(p.T("catalog.none_configured")))
	}
	note := p.T("catalog.note", lang.Args{"Enquire": p.T("home.button_enquire")})
	if cut {
		note = p.T("catalog.note_cut", lang.Args{"Regions": cv.regionList()}) + " " + note
	}
	return append(blocks, contextText(note)), nil
}

// regionList names the regions for a hint.
func (cv *catalogView) regionList() string {
	ids := make([]string, 0, len(cv.regions))
	for _, r := range cv.regions {
		ids = append(ids, "`"+esc(r.ID)+"`")
	}
	return truncate(strings.Join(ids, ", "), 1500)
}

// apOptionGroups is a select's option groups of access points by region,
// at most maxOptions options in all; query (lower case) keeps those whose
// name, ID, location or region contains it.
func (cv *catalogView) apOptionGroups(p lang.Printer, keep func(*models.AccessPoint) bool, query string) []*slack.OptionGroupBlockObject {
	query = strings.ToLower(strings.TrimSpace(query))
	var out []*slack.OptionGroupBlockObject
	n := 0
	for _, g := range cv.byRegion(keep) {
		var opts []*slack.OptionBlockObject
		for _, ap := range g.aps {
			if query != "" && !strings.Contains(strings.ToLower(ap.Name+" "+ap.NameZh+" "+ap.ID+" "+ap.Location+" "+ap.LocationZh+" "+g.region.Name+" "+g.region.NameZh+" "+g.region.ID), query) {
				continue
			}
			if n == maxOptions {
				break
			}
			opts = append(opts, apOption(p, ap))
			n++
		}
		if len(opts) > 0 {
			out = append(out, slack.NewOptionGroupBlockElement(plain(truncate(regionName(p, g.region), maxOptionText)), opts...))
		}
	}
	return out
}

// apOption is an access point as a select option: its name, and its
// location and status underneath.
func apOption(p lang.Printer, ap *models.AccessPoint) *slack.OptionBlockObject {
	o := option(ap.ID, named(p, ap.Name, ap.NameZh))
	desc := locationNamed(p, ap)
	if ap.Status == models.APHot {
		desc += " · " + p.T("catalog.option_hot")
	}
	o.Description = plain(truncate(desc, maxOptionText))
	return o
}

// countAPs counts the access points keep accepts.
func (cv *catalogView) countAPs(keep func(*models.AccessPoint) bool) int {
	n := 0
	for i := range cv.aps {
		if keep(&cv.aps[i]) {
			n++
		}
	}
	return n
}

// apSelect is an access point select: static with option groups when the
// access points fit in one select, else an external select whose options
// come from the suggestion handler of suggestAction.
func (cv *catalogView) apSelect(p lang.Printer, actionID string, keep func(*models.AccessPoint) bool, chosen *models.AccessPoint) *slack.SelectBlockElement {
	var sel *slack.SelectBlockElement
	if cv.countAPs(keep) <= maxOptions {
		sel = slack.NewOptionsGroupSelectBlockElement(slack.OptTypeStatic, plain(p.T("catalog.choose_ap")), actionID, cv.apOptionGroups(p, keep, "")...)
	} else {
		sel = slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, plain(p.T("catalog.search_ap")), actionID)
		zero := 0
		sel.MinQueryLength = &zero
	}
	if chosen != nil {
		sel.InitialOption = apOption(p, chosen)
	}
	return sel
}

// suggestAPs answers an external select of access points (block_suggestion)
// in the ack: the options matching what the user typed.
func (a *App) suggestAPs(keep func(*models.AccessPoint) bool) bot.Handler {
	return func(ctx context.Context, req bot.Request) (any, func(context.Context)) {
		cb := interaction(req)
		cv, err := a.loadCatalog(ctx)
		if err != nil {
			a.log.ErrorContext(ctx, "access point suggestions", "err", err)
			return slack.OptionGroupsResponse{OptionGroups: []*slack.OptionGroupBlockObject{}}, nil
		}
		return slack.OptionGroupsResponse{OptionGroups: cv.apOptionGroups(a.forUser(ctx, cb.User.ID), keep, cb.Value)}, nil
	}
}

func anyAP(*models.AccessPoint) bool { return true }

func openAP(ap *models.AccessPoint) bool { return ap.Status.Open() }

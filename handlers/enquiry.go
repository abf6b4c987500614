package handlers

// Access point information on request: the list by region, and enquiry
// tickets that staff answer (seed: "submit a ticket to obtain an access
// point and the restriction information of your service provider").

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/models"
)

// Block and action IDs of the enquiry form.
const (
	blkEnqAP    = "enq_ap"
	blkEnqText  = "enq_text"
	actEnqAP    = "ll_enq_ap" // external select of access points (suggestions)
	actEnqText  = "v"
	fieldEnqQ   = "Question"
	maxQuestion = 2000
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
func (cv *catalogView) providerName(id string) string {
	if p, ok := cv.providers[id]; ok && p.Name != "" {
		return p.Name
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
func statusWords(s models.AccessPointStatus) string {
	switch s {
	case models.APRecommended:
		return ":large_green_circle: recommended"
	case models.APHot:
		return ":large_orange_circle: hot (filling up)"
	case models.APFull:
		return ":red_circle: full, no new applications"
	case models.APDisabled:
		return ":no_entry: disabled, closed to new applications"
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
func offerText(ap *models.AccessPoint) string {
	var parts []string
	for _, p := range ap.OfferedTypes() {
		o, _ := ap.Offer(p)
		parts = append(parts, fmt.Sprintf("%s %s–%s", p, thousands(o.MinMbps), mbps(o.MaxMbps)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// apEntry is one access point in the list.
func (cv *catalogView) apEntry(ap *models.AccessPoint) string {
	provs := make([]string, 0, len(ap.Providers))
	for _, p := range ap.Providers {
		provs = append(provs, esc(cv.providerName(p.ProviderID)))
	}
	slices.Sort(provs)
	return fmt.Sprintf("*%s* `%s` · %s\n%s\nService providers: %s\nPort types: %s\n",
		esc(ap.Name), esc(ap.ID), statusWords(ap.Status), esc(ap.Location), strings.Join(provs, ", "), esc(offerText(ap)))
}

func (a *App) cmdAccessPoints(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	blocks, err := a.accessPointBlocks(ctx, rest)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	a.replyBlocks(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, blocks)
}

// accessPointBlocks lists the access points grouped by region (one region
// when filter names one), within a message's 50 blocks.
func (a *App) accessPointBlocks(ctx context.Context, filter string) ([]slack.Block, error) {
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
			return []slack.Block{section(fmt.Sprintf("No region `%s`. Regions: %s.", esc(truncate(filter, 64)), cv.regionList()))}, nil
		}
	}
	groups := cv.byRegion(func(ap *models.AccessPoint) bool { return only == "" || ap.RegionID == only })
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Access points"))}
	const room = maxMessageBlocks - 2 // the header and the closing note
	cut := false
	for _, g := range groups {
		var cur strings.Builder
		cur.WriteString(fmt.Sprintf(":earth_asia: *%s* `%s`\n", esc(g.region.Name), esc(g.region.ID)))
		var chunks []string
		for _, ap := range g.aps {
			e := cv.apEntry(ap)
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
		blocks = append(blocks, section("No access points are configured yet."))
	}
	note := "Full and disabled access points take no new applications. Ask staff about any of them: *Enquire*, or `/leaseline enquire ACCESS-POINT QUESTION`."
	if cut {
		note = "Not all access points fit in one message: `/leaseline access-points REGION` lists one region (" + cv.regionList() + "). " + note
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
func (cv *catalogView) apOptionGroups(keep func(*models.AccessPoint) bool, query string) []*slack.OptionGroupBlockObject {
	query = strings.ToLower(strings.TrimSpace(query))
	var out []*slack.OptionGroupBlockObject
	n := 0
	for _, g := range cv.byRegion(keep) {
		var opts []*slack.OptionBlockObject
		for _, ap := range g.aps {
			if query != "" && !strings.Contains(strings.ToLower(ap.Name+" "+ap.ID+" "+ap.Location+" "+g.region.Name+" "+g.region.ID), query) {
				continue
			}
			if n == maxOptions {
				break
			}
			opts = append(opts, apOption(ap))
			n++
		}
		if len(opts) > 0 {
			out = append(out, slack.NewOptionGroupBlockElement(plain(truncate(g.region.Name, maxOptionText)), opts...))
		}
	}
	return out
}

// apOption is an access point as a select option: its name, and its
// location and status underneath.
func apOption(ap *models.AccessPoint) *slack.OptionBlockObject {
	o := option(ap.ID, ap.Name)
	desc := ap.Location
	if ap.Status == models.APHot {
		desc += " · hot"
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
func (cv *catalogView) apSelect(actionID string, keep func(*models.AccessPoint) bool, chosen *models.AccessPoint) *slack.SelectBlockElement {
	var sel *slack.SelectBlockElement
	if cv.countAPs(keep) <= maxOptions {
		sel = slack.NewOptionsGroupSelectBlockElement(slack.OptTypeStatic, plain("Choose an access point"), actionID, cv.apOptionGroups(keep, "")...)
	} else {
		sel = slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, plain("Type to search access points"), actionID)
		zero := 0
		sel.MinQueryLength = &zero
	}
	if chosen != nil {
		sel.InitialOption = apOption(chosen)
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
			a.log.ErrorContext(ctx, "access point suggestions", "request_id", bot.RequestID(ctx), "err", err)
			return slack.OptionGroupsResponse{OptionGroups: []*slack.OptionGroupBlockObject{}}, nil
		}
		return slack.OptionGroupsResponse{OptionGroups: cv.apOptionGroups(keep, cb.Value)}, nil
	}
}

func anyAP(*models.AccessPoint) bool { return true }

func openAP(ap *models.AccessPoint) bool { return ap.Status.Open() }

// registerEnquiry routes the Enquire button, the enquiry form and its
// access point suggestions, and staff's Answer.
func (a *App) registerEnquiry(r *bot.Router) {
	r.Action(actEnquire, a.enquireButton)
	r.View(viewEnquire, a.submitEnquiry)
	r.Suggestion(actEnqAP, a.suggestAPs(anyAP))
	r.Action(actAnswer, a.answerButton)
	r.View(viewAnswer, a.submitAnswer)
}

// Block and action IDs of staff's answer form.
const (
	blkAnswer   = "answer_text"
	fieldAnswer = "Answer"
)

// answerButton opens staff's answer form for an enquiry (the Answer button
// of the enquiry's message in the staff channel).
func (a *App) answerButton(_ context.Context, req bot.Request) (any, func(context.Context)) {
	cb := interaction(req)
	return nil, func(ctx context.Context) {
		if !a.isStaff(ctx, cb.User.ID) {
			a.tell(ctx, cb.ResponseURL, channelOf(cb), cb.User.ID, ":no_entry: Only staff answer enquiries. Nothing was changed.")
			return
		}
		id, err := strconv.ParseInt(firstAction(cb).Value, 10, 64)
		if err != nil || id <= 0 {
			a.tell(ctx, cb.ResponseURL, channelOf(cb), cb.User.ID, ":warning: This button is out of date.")
			return
		}
		t, err := a.store.Ticket(ctx, id)
		if err != nil || t.Kind != models.TicketEnquiry {
			a.fail(ctx, cb, fmt.Errorf("enquiry %d: %w", id, models.ErrNotFound))
			return
		}
		if t.State != models.TicketOpen {
			a.fail(ctx, cb, &models.AlreadyDoneError{Action: "answer", By: t.AnsweredBy, At: t.UpdatedAt})
			return
		}
		m := meta{Channel: channelOf(cb), MessageTS: cb.Container.MessageTs, Extra: strconv.FormatInt(t.ID, 10)}
		about := "General question"
		if t.AccessPointID != "" {
			about = "About " + t.AccessPointID
		}
		view := slack.ModalViewRequest{
			Type:            slack.VTModal,
			Title:           plain(truncate(fmt.Sprintf("Answer enquiry %d", t.ID), 24)),
			Submit:          plain("Send answer"),
			Close:           plain("Cancel"),
			CallbackID:      viewAnswer,
			PrivateMetadata: m.encode(),
			Blocks: slack.Blocks{BlockSet: []slack.Block{
				slack.NewSectionBlock(plain(truncate(about+": "+t.Text, maxPlainText)), nil, nil),
				slack.NewInputBlock(blkAnswer, plain(fieldAnswer), plain("The customer is told in the channel they asked from."),
					slack.NewPlainTextInputBlockElement(nil, actEnqText).WithMultiline(true).WithMaxLength(maxQuestion)),
			}},
		}
		if _, err := a.slack.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
			a.fail(ctx, cb, fmt.Errorf("open answer form: %w", err))
		}
	}
}

// submitAnswer records staff's answer in the ack (an empty answer, or one
// answered already, shows in the form), then updates the enquiry's message
// in the staff channel; the store's notice tells the customer.
func (a *App) submitAnswer(ctx context.Context, req bot.Request) (any, func(context.Context)) {
	if req.Kind != bot.KindViewSubmission {
		return nil, nil
	}
	cb := interaction(req)
	m := decodeMeta(cb.View.PrivateMetadata)
	fail := func(err error) any {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blkAnswer: truncate(a.userMessage(ctx, err), 2000)})
	}
	if !a.isStaff(ctx, cb.User.ID) {
		return fail(models.ErrForbidden), nil
	}
	id, err := strconv.ParseInt(m.Extra, 10, 64)
	if err != nil || id <= 0 {
		return fail(fmt.Errorf("answer form: %w", models.ErrNotFound)), nil
	}
	actor := models.Actor{UserID: cb.User.ID, Role: models.RoleStaff}
	t, err := a.store.AnswerEnquiry(ctx, actor, id, inputValue(cb, blkAnswer, actEnqText))
	if err != nil {
		if resp := viewErrors(err, map[string]string{fieldAnswer: blkAnswer}, blkAnswer); resp != nil {
			return resp, nil
		}
		return fail(err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		if m.Channel == "" || m.MessageTS == "" {
			return
		}
		opts, err := a.RenderNotice(ctx, models.Notice{Kind: models.NoticeEnquiry, Channel: m.Channel, Data: fmt.Sprintf(`{"ticket_id":%d}`, t.ID)})
		if err == nil {
			_, _, _, err = a.slack.UpdateMessageContext(ctx, m.Channel, m.MessageTS, opts...)
		}
		if err != nil {
			a.log.WarnContext(ctx, "update enquiry message", "request_id", bot.RequestID(ctx), "ticket", t.ID, "err", err)
		}
	}
}

// enquireButton opens the enquiry form (panel, App Home).
func (a *App) enquireButton(_ context.Context, req bot.Request) (any, func(context.Context)) {
	cb := interaction(req)
	return nil, func(ctx context.Context) {
		m := meta{Channel: channelOf(cb), ResponseURL: cb.ResponseURL}
		if err := a.openEnquiry(ctx, cb.TriggerID, m, nil, ""); err != nil {
			a.fail(ctx, cb, err)
		}
	}
}

// openEnquiry opens the enquiry form, with ap chosen and question typed
// when given.
func (a *App) openEnquiry(ctx context.Context, triggerID string, m meta, ap *models.AccessPoint, question string) error {
	cv, err := a.loadCatalog(ctx)
	if err != nil {
		return err
	}
	qIn := slack.NewPlainTextInputBlockElement(plain("e.g. Does China Telecom reach this access point with 10GBase-LR?"), actEnqText).
		WithMultiline(true).WithMaxLength(maxQuestion)
	if question != "" {
		qIn = qIn.WithInitialValue(truncate(question, maxQuestion))
	}
	apIn := slack.NewInputBlock(blkEnqAP, plain(models.FieldAccessPoint), plain("The access point you ask about; leave it empty for a general question."), cv.apSelect(actEnqAP, anyAP, ap))
	apIn.Optional = true
	view := slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain("Access point enquiry"),
		Submit:          plain("Send"),
		Close:           plain("Cancel"),
		CallbackID:      viewEnquire,
		PrivateMetadata: m.encode(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			contextText("Ask the operator's staff about an access point: location, allowed service providers, port types, capacity. They answer here."),
			apIn,
			slack.NewInputBlock(blkEnqText, plain(fieldEnqQ), plain("Your question, as precise as you can."), qIn),
		}},
	}
	if _, err := a.slack.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("open enquiry form: %w", err)
	}
	return nil
}

// submitEnquiry records the enquiry ticket in the ack (its rules show
// inline) and tells the user after.
func (a *App) submitEnquiry(ctx context.Context, req bot.Request) (any, func(context.Context)) {
	if req.Kind != bot.KindViewSubmission {
		return nil, nil
	}
	cb := interaction(req)
	m := decodeMeta(cb.View.PrivateMetadata)
	ids := map[string]string{models.FieldAccessPoint: blkEnqAP, fieldEnqQ: blkEnqText}
	actor, err := a.actor(ctx, teamOf(cb), m.Channel, cb.User.ID)
	if err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blkEnqText: truncate(a.userMessage(ctx, err), 2000)}), nil
	}
	reply, err := a.replyTarget(ctx, actor, m.Channel, cb.User.ID)
	if err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blkEnqText: a.userMessage(ctx, err)}), nil
	}
	apID := inputValue(cb, blkEnqAP, actEnqAP)
	t, err := a.store.Enquire(ctx, actor, apID, inputValue(cb, blkEnqText, actEnqText), reply)
	if err != nil {
		if resp := viewErrors(err, ids, blkEnqText); resp != nil {
			return resp, nil
		}
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blkEnqText: truncate(a.userMessage(ctx, err), 2000)}), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		a.tell(ctx, m.ResponseURL, m.Channel, cb.User.ID, a.enquirySent(ctx, t, reply))
	}
}

// enquirySent confirms an enquiry to the user.
func (a *App) enquirySent(ctx context.Context, t *models.Ticket, reply string) string {
	about := "a general question"
	if t.AccessPointID != "" {
		about = "`" + esc(t.AccessPointID) + "`"
		if ap, err := a.store.AccessPoint(ctx, t.AccessPointID); err == nil {
			about = "*" + esc(ap.Name) + "*"
		}
	}
	where := "in a direct message"
	if !isUserID(reply) {
		where = "in <#" + reply + ">"
	}
	return fmt.Sprintf(":incoming_envelope: Enquiry %d about %s is with the operator's staff. You will get the answer %s.\n>%s",
		t.ID, about, where, esc(truncate(strings.ReplaceAll(t.Text, "\n", " "), 500)))
}

func (a *App) cmdEnquire(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	actor, err := a.cmdActor(ctx, cmd)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	if actor.Role != models.RoleCustomer {
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":information_source: Enquiries are for customers; staff answer them in the staff channel.")
		return
	}
	m := meta{Channel: cmd.ChannelID, ResponseURL: cmd.ResponseURL}
	first, question := splitWord(rest)
	var ap *models.AccessPoint
	if first != "" {
		cv, err := a.loadCatalog(ctx)
		if err != nil {
			a.cmdFail(ctx, cmd, err)
			return
		}
		if ap = cv.accessPoint(first); ap == nil {
			// Not an access point: the whole text is a general question.
			question = rest
		}
	}
	if question == "" {
		if err := a.openEnquiry(ctx, cmd.TriggerID, m, ap, ""); err != nil {
			a.cmdFail(ctx, cmd, err)
		}
		return
	}
	reply, err := a.replyTarget(ctx, actor, cmd.ChannelID, cmd.UserID)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	apID := ""
	if ap != nil {
		apID = ap.ID
	}
	t, err := a.store.Enquire(ctx, actor, apID, question, reply)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, a.enquirySent(ctx, t, reply))
}

// replyTarget is where a customer hears back about what they started in
// channel: the channel when it is linked to their account (its members
// share the account), else a direct message, so that nothing of the
// account shows in a channel of others.
func (a *App) replyTarget(ctx context.Context, actor models.Actor, channel, user string) (string, error) {
	if channel == "" || actor.AccountID == 0 {
		return user, nil
	}
	chans, err := a.store.AccountChannels(ctx, actor.AccountID)
	if err != nil {
		return "", fmt.Errorf("load account channels: %w", err)
	}
	for _, ch := range chans {
		if ch.ChannelID == channel {
			return channel, nil
		}
	}
	return user, nil
}

// isUserID reports whether id names a Slack user rather than a channel.
func isUserID(id string) bool { return strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W") }

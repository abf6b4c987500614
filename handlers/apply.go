package handlers

// The apply form, "Apply for New Interface" (seed step 4): it narrows
// itself to what the chosen access point allows, shows every broken rule
// under its field, and on success tells the customer the status, the
// application number and the date review normally completes by.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Block IDs of the apply form's inputs, and the action ID of their
// elements (the access point's is actApplyAP, which dispatches on change).
// The selects that depend on the access point carry it in their block ID,
// so that a new access point starts them afresh.
const (
	blkApplyName     = "apply_name"
	blkApplyAP       = "apply_ap"
	blkApplyProvider = "apply_provider"
	blkApplyPort     = "apply_port"
	blkApplyBW       = "apply_bw"
	blkApplyLoc      = "apply_loc"
	blkApplyRed      = "apply_red"
	actApplyInput    = "v"
	redundancyNone   = "none"
)

// applyBlockIDs maps the form's field labels to the block IDs of the form
// built for access point apID ("" before one is chosen).
func applyBlockIDs(apID string) map[string]string {
	sfx := ""
	if apID != "" {
		sfx = "." + apID
	}
	return map[string]string{
		models.FieldName:        blkApplyName,
		models.FieldAccessPoint: blkApplyAP,
		models.FieldProvider:    blkApplyProvider + sfx,
		models.FieldPortType:    blkApplyPort + sfx,
		models.FieldBandwidth:   blkApplyBW,
		models.FieldLocation:    blkApplyLoc,
		models.FieldRedundancy:  blkApplyRed + sfx,
	}
}

func (a *App) cmdApply(ctx context.Context, cmd *slack.SlashCommand, _ string) {
	actor, err := a.cmdActor(ctx, cmd)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	if err := a.openApply(ctx, cmd.TriggerID, actor, meta{Channel: cmd.ChannelID, ResponseURL: cmd.ResponseURL}); err != nil {
		a.cmdFail(ctx, cmd, err)
	}
}

// applyButton opens the form from the panel or App Home.
func (a *App) applyButton(_ context.Context, req bot.Request) (any, func(context.Context)) {
	cb := interaction(req)
	return nil, func(ctx context.Context) {
		actor, err := a.actor(ctx, teamOf(cb), channelOf(cb), cb.User.ID)
		if err != nil {
			a.fail(ctx, cb, err)
			return
		}
		if err := a.openApply(ctx, cb.TriggerID, actor, meta{Channel: channelOf(cb), ResponseURL: cb.ResponseURL}); err != nil {
			a.fail(ctx, cb, err)
		}
	}
}

// errNotCustomer says that only customers apply.
func errNotCustomer() error {
	return &models.RuleError{Rule: "customers-apply", Message: "Only customers apply for leased lines: staff and service providers act on the applications customers make.", Args: map[string]any{}}
}

// openApply opens the apply form; m says where it was opened from (the
// channel, which also resolves the account of external users, and the
// response_url to answer through).
func (a *App) openApply(ctx context.Context, triggerID string, actor models.Actor, m meta) error {
	if actor.Role != models.RoleCustomer {
		return errNotCustomer()
	}
	if err := a.applicationsOpen(ctx, a.forUser(ctx, actor.UserID)); err != nil {
		return err
	}
	view, err := a.applyView(ctx, a.forUser(ctx, actor.UserID), actor, m, "", nil)
	if err != nil {
		return err
	}
	if _, err := a.slack.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("open apply form: %w", err)
	}
	return nil
}

// applyAPChosen narrows the open form to the access point just chosen.
func (a *App) applyAPChosen(_ context.Context, req bot.Request) (any, func(context.Context)) {
	cb := interaction(req)
	return nil, func(ctx context.Context) {
		m := decodeMeta(cb.View.PrivateMetadata)
		actor, err := a.actor(ctx, teamOf(cb), m.Channel, cb.User.ID)
		if err != nil {
			a.log.WarnContext(ctx, "apply form: access point chosen by a non-customer", "err", err)
			return
		}
		view, err := a.applyView(ctx, a.forUser(ctx, cb.User.ID), actor, m, firstAction(cb).SelectedOption.Value, cb.View.State)
		if err != nil {
			a.log.ErrorContext(ctx, "apply form: build view", "err", err)
			return
		}
		// The hash makes Slack refuse the update if the view changed since
		// this action: a later choice's update wins.
		if _, err := a.slack.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID); err != nil {
			a.log.WarnContext(ctx, "apply form: update view", "err", err)
		}
	}
}

// applyView builds the form; with apID it lists only what that access
// point allows, and the user's redundancy candidates in its region. state
// carries over what the user typed; p is the reader's language.
func (a *App) applyView(ctx context.Context, p lang.Printer, actor models.Actor, m meta, apID string, state *slack.ViewState) (slack.ModalViewRequest, error) {
	cv, err := a.loadCatalog(ctx)
	if err != nil {
		return slack.ModalViewRequest{}, err
	}
	open := cv.countAPs(openAP)
	if open == 0 {
		return slack.ModalViewRequest{}, &models.RuleError{Rule: "no-open-access-point", Message: "No access point takes new applications right now. Ask the operator's staff: *Enquire* or `/leaseline enquire`.", Args: map[string]any{}}
	}
	var chosen *models.AccessPoint
	if ap := cv.accessPoint(apID); ap != nil && ap.ID == apID && ap.Status.Open() {
		chosen = ap
	}
	m.Extra = ""
	if chosen != nil {
		m.Extra = chosen.ID
	}
	ids := applyBlockIDs(m.Extra)
	var cands []models.Connection
	if chosen != nil {
		if cands, err = a.store.RedundancyCandidates(ctx, actor, chosen.RegionID); err != nil {
			return slack.ModalViewRequest{}, fmt.Errorf("redundancy candidates: %w", err)
		}
	}
	prev := func(block string) string {
		if state == nil {
			return ""
		}
		return state.Values[block][actApplyInput].Value
	}
	textInput := func(block, placeholder string, maxLen int) *slack.PlainTextInputBlockElement {
		in := slack.NewPlainTextInputBlockElement(plain(placeholder), actApplyInput).WithMaxLength(maxLen)
		if v := prev(block); v != "" {
			in = in.WithInitialValue(v)
		}
		return in
	}

	intro := p.T("forms.apply.intro")
	if closed := len(cv.aps) - open; closed > 0 {
		intro += "\n" + p.N("forms.apply.not_listed", closed)
		intro += fullForWantOfPorts(p, cv)
	}

	apIn := slack.NewInputBlock(blkApplyAP, plain(formField(p, models.FieldAccessPoint)), plain(p.T("forms.apply.ap_hint")), cv.apSelect(p, actApplyAP, openAP, chosen)).WithDispatchAction(true)

	provIn := slack.NewInputBlock(ids[models.FieldProvider], plain(formField(p, models.FieldProvider)), plain(providerHint(p, cv, chosen)),
		slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(p.T("forms.apply.choose_provider")), actApplyInput, providerOptions(p, cv, chosen)...))
	portIn := slack.NewInputBlock(ids[models.FieldPortType], plain(formField(p, models.FieldPortType)), plain(portHint(p, chosen)),
		slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(p.T("forms.apply.choose_port_type")), actApplyInput, portOptions(chosen)...))
	bwIn := slack.NewInputBlock(blkApplyBW, plain(formField(p, models.FieldBandwidth)), plain(bandwidthHint(p, chosen)), textInput(blkApplyBW, p.T("forms.apply.bandwidth_placeholder"), 32))
	locIn := slack.NewInputBlock(blkApplyLoc, plain(formField(p, models.FieldLocation)), plain(p.T("forms.apply.location_hint")), textInput(blkApplyLoc, p.T("forms.apply.location_placeholder"), 256))
	nameIn := slack.NewInputBlock(blkApplyName, plain(formField(p, models.FieldName)), plain(p.T("forms.apply.name_hint")), textInput(blkApplyName, p.T("forms.apply.name_placeholder"), 128))

	redOpts := redundancyOptions(p, cands)
	redSel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(p.T("forms.apply.no_redundant_link")), actApplyInput, redOpts...)
	redSel.InitialOption = redOpts[0]
	redIn := slack.NewInputBlock(ids[models.FieldRedundancy], plain(formField(p, models.FieldRedundancy)), plain(redundancyHint(p, cv, chosen, len(cands))), redSel)
	redIn.Optional = true

	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(p.T("forms.apply.title")),
		Submit:          plain(p.T("forms.apply.submit")),
		Close:           plain(p.T("forms.apply.close")),
		CallbackID:      viewApply,
		PrivateMetadata: m.encode(),
		Blocks:          slack.Blocks{BlockSet: []slack.Block{contextText(intro), nameIn, apIn, provIn, portIn, bwIn, locIn, redIn}},
	}, nil
}

// providerOptions lists the providers the access point allows (all before
// one is chosen).
func providerOptions(w lang.Printer, cv *catalogView, chosen *models.AccessPoint) []*slack.OptionBlockObject {
	var ids []string
	if chosen != nil {
		for _, p := range chosen.Providers {
			ids = append(ids, p.ProviderID)
		}
	}
	if len(ids) == 0 {
		for id := range cv.providers {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(x, y string) int { return strings.Compare(cv.providerName(w, x), cv.providerName(w, y)) })
	opts := make([]*slack.OptionBlockObject, 0, min(len(ids), maxOptions))
	for _, id := range ids[:min(len(ids), maxOptions)] {
		label := cv.providerName(w, id)
		if p, ok := cv.providers[id]; ok && p.Kind != "" {
			label += " (" + string(p.Kind) + ")"
		}
		opts = append(opts, option(id, label))
	}
	return opts
}

func providerHint(p lang.Printer, cv *catalogView, chosen *models.AccessPoint) string {
	if chosen == nil {
		return p.T("forms.apply.provider_hint")
	}
	names := make([]string, 0, len(chosen.Providers))
	for _, ap := range chosen.Providers {
		names = append(names, cv.providerName(p, ap.ProviderID))
	}
	slices.Sort(names)
	return truncate(p.T("forms.apply.provider_hint_at", lang.Args{"AccessPoint": named(p, chosen.Name, chosen.NameZh), "Providers": strings.Join(names, ", ")}), 2000)
}

// portOptions lists the port types the access point offers, with their
// bandwidth ranges (every supported type before one is chosen). The
// unsupported interfaces are never offered.
func portOptions(chosen *models.AccessPoint) []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	if chosen != nil {
		for _, p := range chosen.OfferedTypes() {
			o, _ := chosen.Offer(p)
			out = append(out, option(string(p), fmt.Sprintf("%s · %s–%s", p, thousands(o.MinMbps), mbps(o.MaxMbps))))
		}
	}
	if len(out) == 0 {
		for _, p := range models.PortTypes {
			out = append(out, option(string(p), string(p)))
		}
	}
	return out
}

func portHint(p lang.Printer, chosen *models.AccessPoint) string {
	if chosen == nil {
		return p.T("forms.apply.port_hint")
	}
	return p.T("forms.apply.port_hint_at", lang.Args{"AccessPoint": named(p, chosen.Name, chosen.NameZh)})
}

func bandwidthHint(p lang.Printer, chosen *models.AccessPoint) string {
	if chosen == nil {
		return p.T("forms.apply.bandwidth_hint", lang.Args{"Min": thousands(models.MinBandwidthMbps), "Max": mbps(models.MaxBandwidthMbps)})
	}
	return truncate(p.T("forms.apply.bandwidth_hint_at", lang.Args{"AccessPoint": named(p, chosen.Name, chosen.NameZh), "Offer": offerText(p, chosen)}), 2000)
}

// redundancyOptions is "no redundant link" and the candidates.
func redundancyOptions(p lang.Printer, cands []models.Connection) []*slack.OptionBlockObject {
	opts := []*slack.OptionBlockObject{option(redundancyNone, p.T("forms.apply.no_redundant_link"))}
	for i := range cands {
		if len(opts) == maxOptions {
			break
		}
		c := &cands[i]
		o := option(connValue(c.ID), c.DisplayID()+" · "+c.Name)
		o.Description = plain(truncate(c.AccessPointID+" · "+statusWord(p, c.Status), maxOptionText))
		opts = append(opts, o)
	}
	return opts
}

func redundancyHint(p lang.Printer, cv *catalogView, chosen *models.AccessPoint, n int) string {
	seed := p.T("forms.apply.redundancy_hint")
	switch {
	case chosen == nil:
		return seed + p.T("forms.apply.redundancy_choose_ap")
	case n == 0:
		return seed + p.T("forms.apply.redundancy_none", lang.Args{"Region": regionName(p, cv.region(chosen.RegionID))})
	}
	return seed + p.T("forms.apply.redundancy_offered", lang.Args{"Region": regionName(p, cv.region(chosen.RegionID))})
}

// submitApply applies in the ack, so that every broken rule shows under its
// field; on success it closes the form and tells the user after the ack.
func (a *App) submitApply(ctx context.Context, req bot.Request) (any, func(context.Context)) {
	p := a.forUser(ctx, interaction(req).User.ID)
	if req.Kind != bot.KindViewSubmission {
		return nil, nil
	}
	cb := interaction(req)
	m := decodeMeta(cb.View.PrivateMetadata)
	ids := applyBlockIDs(m.Extra)
	general := func(err error) any {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blkApplyName: truncate(a.userMessage(ctx, p, err), 2000)})
	}
	actor, err := a.actor(ctx, teamOf(cb), m.Channel, cb.User.ID)
	if err != nil {
		return general(err), nil
	}
	if actor.Role != models.RoleCustomer {
		return general(errNotCustomer()), nil
	}
	reply, err := a.replyTarget(ctx, actor, m.Channel, cb.User.ID)
	if err != nil {
		return general(err), nil
	}
	app, parsed := parseApplication(cb, ids)
	c, err := a.applyOrResubmit(ctx, actor, m.Conn, app, reply)
	if err != nil || len(parsed) > 0 {
		if err == nil {
			// Cannot happen: a field that does not parse breaks a rule. Had
			// the connection been made, say so rather than show errors.
			a.log.ErrorContext(ctx, "apply: application accepted despite unparsed fields", "connection", c.ID)
		} else {
			rules, ok := mergeRuleErrors(parsed, err)
			if !ok {
				return general(err), nil
			}
			return viewErrors(p, rules, ids, blkApplyName), nil
		}
	}
	user := cb.User.ID
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		a.tellApplied(ctx, m, reply, user, c)
		a.settleResubmitted(ctx, m, c, user)
		a.refreshPanels(ctx, actor.AccountID)
	}
}

// parseApplication reads the form. Fields that do not parse come back as
// rule errors, and leave the application invalid so that the store refuses
// it too (its other rules are still shown).
func parseApplication(cb *slack.InteractionCallback, ids map[string]string) (models.Application, models.RuleErrors) {
	val := func(field string) string {
		actionID := actApplyInput
		if field == models.FieldAccessPoint {
			actionID = actApplyAP
		}
		return strings.TrimSpace(inputValue(cb, ids[field], actionID))
	}
	app := models.Application{
		Name:          inputValue(cb, ids[models.FieldName], actApplyInput),
		AccessPointID: val(models.FieldAccessPoint),
		ProviderID:    val(models.FieldProvider),
		Location:      inputValue(cb, ids[models.FieldLocation], actApplyInput),
	}
	var errs models.RuleErrors
	addErr := func(err error) {
		var rule *models.RuleError
		if errors.As(err, &rule) {
			errs = append(errs, rule)
		}
	}
	if p := val(models.FieldPortType); p != "" {
		pt, err := models.ParsePortType(p)
		addErr(err)
		app.PortType = pt
	}
	if bw := val(models.FieldBandwidth); bw == "" {
		errs = append(errs, &models.RuleError{Field: models.FieldBandwidth, Rule: "bandwidth-required", Message: "Enter the access bandwidth in Mbps, e.g. 200.", Args: map[string]any{}})
	} else {
		n, err := models.ParseBandwidth(bw)
		addErr(err)
		app.BandwidthMbps = n
	}
	if r := val(models.FieldRedundancy); r != "" && r != redundancyNone {
		id, err := strconv.ParseInt(r, 10, 64)
		if err != nil || id <= 0 {
			errs = append(errs, &models.RuleError{Field: models.FieldRedundancy, Rule: "redundancy-unknown", Message: "Choose one of the connections listed, or no redundant link.", Args: map[string]any{"Listed": true}})
			id = 0
		}
		app.RedundantID = &id
	}
	return app, errs
}

// mergeRuleErrors adds the store's rule errors to those of parsing, one
// field's parsing error standing for the store's errors of that field. It
// reports false when err is not about rules.
func mergeRuleErrors(parsed models.RuleErrors, err error) (models.RuleErrors, bool) {
	var rules models.RuleErrors
	var rule *models.RuleError
	switch {
	case errors.As(err, &rules):
	case errors.As(err, &rule):
		rules = models.RuleErrors{rule}
	default:
		return nil, false
	}
	out := append(models.RuleErrors(nil), parsed...)
	for _, r := range rules {
		if !slices.ContainsFunc(parsed, func(p *models.RuleError) bool { return p.Field == r.Field }) {
			out = append(out, r)
		}
	}
	return out, true
}

// tellApplied tells the customer the application is in: status, number,
// who acts next and the date review normally completes by.
func (a *App) tellApplied(ctx context.Context, m meta, reply, user string, c *models.Connection) {
	p := a.forUser(ctx, user)
	var by, region string
	r, err := a.regionOf(ctx, c)
	if err == nil {
		by, err = a.reviewBy(ctx, a.forUser(ctx, user), r, c.CreatedAt)
		region = regionName(p, r)
	}
	if err != nil {
		a.log.ErrorContext(ctx, "apply: review date", "connection", c.ID, "err", err)
		by, region = p.T("actions.applied.next_workday"), ""
	}
	where := p.T("actions.applied.in_dm")
	channel := ""
	if !isUserID(reply) {
		where, channel = p.T("actions.applied.in_channel", lang.Args{"Channel": reply}), reply
	}
	ref := models.ApplicationRef(c.ID)
	promise := reviewPromise(p, by, region)
	text := ":white_check_mark: " + p.T("actions.applied.text", lang.Args{
		"Ref": ref, "Name": esc(c.Name), "Status": statusWord(p, c.Status), "Promise": promise, "Where": where,
	})
	a.tell(ctx, m.ResponseURL, channel, user, text)
}

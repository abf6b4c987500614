package handlers

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/models"
)

// Provider coordination: the customer's Notify Provider posts the port
// information to the provider's channel (notice port_info) with Submit
// Survey; the provider's survey form takes the construction company, the
// line type, the planned arrival and the engineers, validated field by
// field. ID numbers are never shown, posted or logged unmasked.

// Survey form limits: rows shown at first, and the most rows parsed from a
// submission (beyond models.MaxEngineers, so that too many is reported
// rather than cut).
const (
	surveyFirstRows = 2
	surveyParseRows = 64
)

// pressNotify sends the port information to the provider.
func (a *App) pressNotify(ctx context.Context, p press) {
	w := a.forUser(ctx, p.cb.User.ID)
	d, ok := a.actPress(ctx, p, models.ActionNotifyProvider, "Provider notified", a.settleDetail)
	if ok && p.target.empty() {
		c := &d.Connection
		a.tell(ctx, p.cb.ResponseURL, channelOf(p.cb), p.cb.User.ID, fmt.Sprintf(
			"The port information of `%s` went to the service provider. %s.", pcID(c), statusLine(w, c)))
	}
}

// pressSurvey opens the survey form for the provider.
func (a *App) pressSurvey(ctx context.Context, p press) {
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	if err := refusal(d, models.ActionSubmitSurvey, p.actor.Role); err != nil {
		a.failPress(ctx, p, err)
		return
	}
	m := p.meta()
	m.Extra = strconv.Itoa(surveyFirstRows)
	a.openModal(ctx, p, surveyView(d, surveyFirstRows, m))
}

// surveyMore adds an engineer row to the open survey form (views.update;
// Slack keeps what was typed in the rows already there).
func (a *App) surveyMore(_ context.Context, req bot.Request) (any, func(context.Context)) {
	cb := interaction(req)
	return nil, func(ctx context.Context) {
		m := decodeMeta(cb.View.PrivateMetadata)
		rows := surveyRows(m)
		if rows >= models.MaxEngineers || m.Conn <= 0 {
			return
		}
		m.Extra = strconv.Itoa(rows + 1)
		d, err := a.store.Detail(ctx, models.SystemActor(), m.Conn)
		if err != nil {
			a.log.ErrorContext(ctx, "load connection for the survey form", "connection", m.Conn, "err", err)
			return
		}
		if _, err := a.slack.UpdateViewContext(ctx, surveyView(d, rows+1, m), "", cb.View.Hash, cb.View.ID); err != nil {
			a.log.WarnContext(ctx, "add an engineer row", "err", err)
		}
	}
}

// surveyRows is how many engineer rows the form shows.
func surveyRows(m meta) int {
	n, err := strconv.Atoi(m.Extra)
	if err != nil || n < 1 {
		return surveyFirstRows
	}
	return min(n, models.MaxEngineers)
}

// Survey form block IDs.
const (
	blockCompany    = "company"
	blockLineType   = "line_type"
	blockArrival    = "arrival"
	blockSurveyMore = "survey_more"
)

func engineerBlock(row int, part string) string { return fmt.Sprintf("eng_%d_%s", row, part) }

// surveyView is the survey form with rows engineer rows (the first
// required, the others optional: a row left empty is ignored).
func surveyView(d *models.Detail, rows int, m meta) slack.ModalViewRequest {
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(md(fmt.Sprintf(
			"Survey for `%s` at %s, %s. List the engineers who will go to the IDC (up to %d) and when they arrive: the IDC lets in only those listed, with the ID document given here. ID numbers are shown to others only masked.",
			pcID(c), esc(cmp.Or(d.AccessPoint.IDCName, apName(d))), esc(d.AccessPoint.IDCAddress), models.MaxEngineers)), nil, nil),
		textInput(blockCompany, "Construction company", "The company that sends the engineers.", 128, false, false),
		selectInput(blockLineType, "Line type", "", false, lineTypeNames()...),
		slack.NewInputBlock(blockArrival, plain("Planned arrival"), plain("When the engineers arrive at the IDC, in your time zone; it must be in the future. The visit is booked on the first workday with room after the ticket, never before this day."),
			slack.NewDateTimePickerBlockElement("v")),
	}
	for i := 1; i <= rows; i++ {
		opt := i > 1
		blocks = append(blocks,
			textInput(engineerBlock(i, "name"), fmt.Sprintf("Engineer %d · full name", i), "", 64, false, opt),
			textInput(engineerBlock(i, "phone"), fmt.Sprintf("Engineer %d · phone", i), "", 24, false, opt),
			selectInput(engineerBlock(i, "idtype"), fmt.Sprintf("Engineer %d · ID document", i), "", opt, idTypeNames()...),
			textInput(engineerBlock(i, "idnum"), fmt.Sprintf("Engineer %d · ID document number", i), "An ID card number has 18 characters: 17 digits and a digit or X.", 32, false, opt),
		)
	}
	if rows < models.MaxEngineers {
		blocks = append(blocks, slack.NewActionBlock(blockSurveyMore, button(actSurveyMore, connValue(c.ID), "Add engineer", "")))
	}
	blocks = append(blocks, slack.NewContextBlock("", md(fmt.Sprintf("%d of at most %d engineer rows. Rows left empty are ignored.", rows, models.MaxEngineers))))
	return modal(viewSurvey, "Submit Survey", "Submit Survey", "Close", m, blocks)
}

func lineTypeNames() []string {
	out := make([]string, len(models.LineTypes))
	for i, t := range models.LineTypes {
		out[i] = string(t)
	}
	return out
}

func idTypeNames() []string {
	out := make([]string, len(models.IDDocumentTypes))
	for i, t := range models.IDDocumentTypes {
		out[i] = string(t)
	}
	return out
}

// parseSurvey reads the submitted form: the engineers of the rows not left
// empty, and for each engineer the row it came from.
func parseSurvey(cb *slack.InteractionCallback) (models.Survey, []int) {
	sv := models.Survey{
		ConstructionCompany: inputValue(cb, blockCompany, "v"),
		LineType:            models.LineType(inputValue(cb, blockLineType, "v")),
	}
	if at := cb.View.State.Values[blockArrival]["v"].SelectedDateTime; at > 0 {
		sv.PlannedArrival = time.Unix(at, 0).UTC()
	}
	var rowOf []int
	for i := 1; i <= lastEngineerRow(cb); i++ {
		e := models.Engineer{
			Name:     inputValue(cb, engineerBlock(i, "name"), "v"),
			Phone:    inputValue(cb, engineerBlock(i, "phone"), "v"),
			IDType:   models.IDDocumentType(inputValue(cb, engineerBlock(i, "idtype"), "v")),
			IDNumber: inputValue(cb, engineerBlock(i, "idnum"), "v"),
		}
		if strings.TrimSpace(e.Name+e.Phone+string(e.IDType)+e.IDNumber) == "" {
			continue
		}
		sv.Engineers = append(sv.Engineers, e)
		rowOf = append(rowOf, i)
	}
	return sv, rowOf
}

// lastEngineerRow is the highest engineer row in the submitted state.
func lastEngineerRow(cb *slack.InteractionCallback) int {
	last := 0
	for id := range cb.View.State.Values {
		var n int
		if _, err := fmt.Sscanf(id, "eng_%d_", &n); err == nil && n > last && n <= surveyParseRows {
			last = n
		}
	}
	return last
}

// surveyErrors places the survey's broken rules under their fields: an
// engineer's under the part of its row at fault. rows is how many rows the
// form shows; an error of a row beyond them goes under the last.
func surveyErrors(err error, rowOf []int, rows int) *slack.ViewSubmissionResponse {
	rules, ok := asRuleErrors(err)
	if !ok {
		return nil
	}
	row := func(n int) int {
		r := rows
		if n >= 1 && n <= len(rowOf) {
			r = rowOf[n-1]
		}
		return max(1, min(r, rows))
	}
	out := map[string]string{}
	for _, r := range rules {
		var id string
		var n int
		switch {
		case r.Field == "Construction company":
			id = blockCompany
		case r.Field == "Line type":
			id = blockLineType
		case r.Field == "Planned arrival":
			id = blockArrival
		case r.Field == "Engineers":
			id = engineerBlock(row(len(rowOf)), "name")
			if len(rowOf) == 0 {
				id = engineerBlock(1, "name")
			}
		case strings.HasPrefix(r.Field, "Engineer "):
			if _, err := fmt.Sscanf(r.Field, "Engineer %d", &n); err != nil {
				n = 1
			}
			part := "idnum"
			switch r.Rule {
			case "engineer-name":
				part = "name"
			case "engineer-phone":
				part = "phone"
			case "engineer-id-type":
				part = "idtype"
			}
			id = engineerBlock(row(n), part)
		default:
			id = blockCompany
		}
		if prev, ok := out[id]; ok {
			out[id] = truncate(prev+" "+r.Message, 2000)
			continue
		}
		out[id] = truncate(r.Message, 2000)
	}
	return slack.NewErrorsViewSubmissionResponse(out)
}

// submitSurvey records the survey within the ack, so that every broken rule
// shows under its field.
func (a *App) submitSurvey(ctx context.Context, s submission) (any, func(context.Context)) {
	sv, rowOf := parseSurvey(s.cb)
	c, err := a.store.SubmitSurvey(ctx, s.actor, s.meta.Conn, sv)
	if err != nil {
		if v := surveyErrors(err, rowOf, surveyRows(s.meta)); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	n := len(sv.Engineers)
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		a.settle(ctx, targetOfMeta(s.meta), c.ID, done(fmt.Sprintf("Survey submitted (%s, arriving %s)", plural(int64(n), "engineer"), when(sv.PlannedArrival)), c, s.actor.UserID))
	}
}

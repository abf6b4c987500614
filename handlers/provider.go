package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
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
	d, ok := a.actPress(ctx, p, models.ActionNotifyProvider, a.settleDetail)
	if ok && p.target.empty() {
		c := &d.Connection
		a.tell(ctx, p.cb.ResponseURL, channelOf(p.cb), p.cb.User.ID, w.T("forms.survey.notified", lang.Args{"ID": pcID(c), "Status": statusLine(w, c)}))
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
	a.openModal(ctx, p, surveyView(a.forUser(ctx, p.cb.User.ID), d, surveyFirstRows, m))
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
		if _, err := a.slack.UpdateViewContext(ctx, surveyView(a.forUser(ctx, cb.User.ID), d, rows+1, m), "", cb.View.Hash, cb.View.ID); err != nil {
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
// required, the others optional: a row left empty is ignored), in the
// reader's language p.
func surveyView(p lang.Printer, d *models.Detail, rows int, m meta) slack.ModalViewRequest {
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(md(p.T("forms.survey.intro", lang.Args{
			"ID": pcID(c), "IDC": esc(idcNamed(p, d)), "Address": esc(idcAddress(p, d)), "Max": models.MaxEngineers,
		})), nil, nil),
		textInput(blockCompany, formField(p, "Construction company"), p.T("forms.survey.company_hint"), 128, false, false),
		selectInput(blockLineType, formField(p, "Line type"), "", p.T("forms.choose"), false, lineTypeOptions(p)...),
		slack.NewInputBlock(blockArrival, plain(formField(p, "Planned arrival")), plain(p.T("forms.survey.arrival_hint")),
			slack.NewDateTimePickerBlockElement("v")),
	}
	for i := 1; i <= rows; i++ {
		opt := i > 1
		blocks = append(blocks,
			textInput(engineerBlock(i, "name"), p.T("forms.survey.engineer_name", lang.Args{"N": i}), "", 64, false, opt),
			textInput(engineerBlock(i, "phone"), p.T("forms.survey.engineer_phone", lang.Args{"N": i}), "", 24, false, opt),
			selectInput(engineerBlock(i, "idtype"), p.T("forms.survey.engineer_id_type", lang.Args{"N": i}), "", p.T("forms.choose"), opt, idTypeOptions(p)...),
			textInput(engineerBlock(i, "idnum"), p.T("forms.survey.engineer_id_number", lang.Args{"N": i}), p.T("forms.survey.id_number_hint"), 32, false, opt),
		)
	}
	if rows < models.MaxEngineers {
		blocks = append(blocks, slack.NewActionBlock(blockSurveyMore, button(actSurveyMore, connValue(c.ID), p.T("forms.survey.add_engineer"), "")))
	}
	blocks = append(blocks, slack.NewContextBlock("", md(p.T("forms.survey.rows", lang.Args{"Rows": rows, "Max": models.MaxEngineers}))))
	return modal(viewSurvey, p.T("forms.survey.title"), p.T("forms.survey.submit"), p.T("forms.close"), m, blocks)
}

// lineTypeOptions are the line types, valued by their names and shown in
// the reader's language.
func lineTypeOptions(p lang.Printer) []*slack.OptionBlockObject {
	out := make([]*slack.OptionBlockObject, len(models.LineTypes))
	for i, t := range models.LineTypes {
		out[i] = option(string(t), lineType(p, t))
	}
	return out
}

// idTypeOptions are the identity documents, valued by their names and
// shown in the reader's language.
func idTypeOptions(p lang.Printer) []*slack.OptionBlockObject {
	out := make([]*slack.OptionBlockObject, len(models.IDDocumentTypes))
	for i, t := range models.IDDocumentTypes {
		out[i] = option(string(t), idDocument(p, string(t)))
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
func surveyErrors(p lang.Printer, err error, rowOf []int, rows int) *slack.ViewSubmissionResponse {
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
		msg := ruleText(p, r)
		if prev, ok := out[id]; ok {
			out[id] = truncate(prev+" "+msg, 2000)
			continue
		}
		out[id] = truncate(msg, 2000)
	}
	return slack.NewErrorsViewSubmissionResponse(out)
}

// submitSurvey records the survey within the ack, so that every broken rule
// shows under its field.
func (a *App) submitSurvey(ctx context.Context, s submission) (any, func(context.Context)) {
	sv, rowOf := parseSurvey(s.cb)
	c, err := a.store.SubmitSurvey(ctx, s.actor, s.meta.Conn, sv)
	if err != nil {
		if v := surveyErrors(a.forUser(ctx, s.cb.User.ID), err, rowOf, surveyRows(s.meta)); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	n := len(sv.Engineers)
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		w := a.cardPrinter(ctx, targetOfMeta(s.meta))
		what := w.T("actions.did.survey_submitted", lang.Args{"Engineers": w.N("actions.engineers", n), "Arrival": when(sv.PlannedArrival)})
		a.settle(ctx, targetOfMeta(s.meta), c.ID, done(w, what, c, s.actor.UserID))
	}
}

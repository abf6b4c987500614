package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/handlers/letter"
	"github.com/leaseline/leaseline/models"
)

// The entry letter (LOA-CFA): a visit_letter notice carries the visit's
// letter as a PDF, which the delivery worker uploads into the provider's
// channel with a short message (bot.FileRenderer).

// RenderNoticeFile renders the file notice n carries: the entry letter of a
// visit_letter notice, nil for every other kind (posted as a message).
func (a *App) RenderNoticeFile(ctx context.Context, n models.Notice) (*bot.NoticeFile, error) {
	if n.Kind != models.NoticeVisitLetter {
		return nil, nil
	}
	v := noticeData[models.VisitLetterData](n)
	pdf, err := a.letters.Render(a.letterData(v))
	if err != nil {
		return nil, fmt.Errorf("render notice %d (%s): %w", n.ID, n.Kind, err)
	}
	p := a.forChannel(ctx, n.Channel)
	args := lang.Args{"Connection": v.Connection, "Date": v.Date, "Window": v.Window, "TimeZone": v.TimeZone, "IDC": v.IDCName}
	msg := "letter.message"
	if v.Change == models.VisitChangeRescheduled {
		msg = "letter.message_changed"
	}
	return &bot.NoticeFile{
		Filename: LetterFilename(v.Connection, v.Date),
		Title:    p.T("letter.file_title", args),
		Comment:  p.T(msg, args),
		Content:  pdf,
	}, nil
}

// LetterFilename names the entry letter of a connection's visit on date.
func LetterFilename(connection, date string) string {
	return "loa-cfa-" + strings.NewReplacer("/", "-", " ", "-").Replace(connection) + "-" + date + ".pdf"
}

// letterData is what the letter of visit v shows.
func (a *App) letterData(v models.VisitLetterData) letter.Data {
	d := letter.Data{
		Operator: a.cfg.Operator, OperatorAddress: a.cfg.OperatorAddress,
		AccessPoint: v.AccessPoint, IDCName: v.IDCName, IDCAddress: v.IDCAddress,
		Connection: v.Connection, Device: v.Device, Port: v.Port, PortType: v.PortType,
		Date: v.Date, Window: v.Window, TimeZone: v.TimeZone, Removal: v.Removal,
		Provider: v.Provider, ConstructionCompany: v.ConstructionCompany,
		ReceptionName: v.ReceptionName, ReceptionPhone: v.ReceptionPhone,
		Code: v.CheckinCode, Issued: v.Issued,
	}
	if date, err := models.ParseDate(v.Date); err == nil {
		d.Weekday = date.Weekday()
	}
	for _, e := range v.Visitors {
		d.Visitors = append(d.Visitors, letter.Visitor{Name: e.Name, IDType: e.IDType, IDNumber: e.IDNumber, Phone: e.Phone})
	}
	return d
}

// RenderLetter renders the entry letter a visit_letter notice carries
// (for the demo, which writes it to a file).
func (a *App) RenderLetter(n models.Notice) ([]byte, error) {
	return a.letters.Render(a.letterData(noticeData[models.VisitLetterData](n)))
}

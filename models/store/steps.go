package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// SubmitSurvey records the provider's survey (engineers, company, line
// type, planned arrival) and tells the customer, who can then submit the
// construction ticket. A broken rule returns models.RuleErrors.
func (s *Store) SubmitSurvey(ctx context.Context, actor models.Actor, id int64, sv models.Survey) (*models.Connection, error) {
	sv.ConstructionCompany = strings.TrimSpace(sv.ConstructionCompany)
	for i := range sv.Engineers {
		e := &sv.Engineers[i]
		e.ID, e.SurveyID = 0, 0
		e.Name, e.Phone, e.IDNumber = strings.TrimSpace(e.Name), strings.TrimSpace(e.Phone), strings.TrimSpace(e.IDNumber)
	}
	if errs := sv.Validate(s.now()); len(errs) > 0 {
		return nil, errs
	}
	return s.apply(ctx, actor, id, models.ActionSubmitSurvey, func(tx *gorm.DB, c models.Connection, t models.Transition) (models.Effects, error) {
		sv.ID, sv.ConnectionID, sv.SubmittedBy, sv.CreatedAt = 0, c.ID, actor.UserID, s.now()
		if err := tx.Create(&sv).Error; err != nil {
			return models.Effects{}, fmt.Errorf("record survey: %w", translate(err))
		}
		detail := fmt.Sprintf("%d engineers of %s, %s line, arriving %s", len(sv.Engineers), sv.ConstructionCompany,
			sv.LineType, sv.PlannedArrival.UTC().Format(time.RFC3339))
		return models.Effects{Conn: models.Moved(c, t), Detail: detail, Notices: models.Tells(models.ActionSubmitSurvey)}, nil
	})
}

// SubmitTicket records the construction ticket that tells after-sales about
// the leased line the provider deploys; the scheduler books the IDC visit on
// the next workday. text is the customer's note (may be empty).
func (s *Store) SubmitTicket(ctx context.Context, actor models.Actor, id int64, text, replyChannel string) (*models.Ticket, error) {
	var t models.Ticket
	_, err := s.apply(ctx, actor, id, models.ActionSubmitTicket, func(tx *gorm.DB, c models.Connection, tr models.Transition) (models.Effects, error) {
		now := s.now()
		if replyChannel == "" {
			replyChannel = c.AppliedChannel
		}
		t = models.Ticket{
			Kind: models.TicketConstruction, AccountID: c.AccountID, ConnectionID: &c.ID, AccessPointID: c.AccessPointID,
			Text: strings.TrimSpace(text), State: models.TicketOpen, SubmittedBy: actor.UserID, ReplyChannel: replyChannel,
			StaffChannel: s.cfg.StaffChannel, CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.Create(&t).Error; err != nil {
			return models.Effects{}, fmt.Errorf("record construction ticket: %w", translate(err))
		}
		tells := models.Tells(models.ActionSubmitTicket)
		for i := range tells {
			tells[i].Data = models.TicketNoticeData{TicketID: t.ID}
		}
		return models.Effects{Conn: models.Moved(c, tr), Detail: fmt.Sprintf("construction ticket %d", t.ID), Notices: tells}, nil
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Enquire opens an access-point enquiry ticket that staff answer in the
// staff channel's thread.
func (s *Store) Enquire(ctx context.Context, actor models.Actor, accessPointID, text, replyChannel string) (*models.Ticket, error) {
	if actor.Role != models.RoleCustomer || actor.AccountID == 0 {
		return nil, models.ErrNoAccount
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, &models.RuleError{Field: "Question", Rule: "question-required", Message: "Write your question about the access point (location, providers, port types, capacity).", Args: map[string]any{}}
	}
	var t models.Ticket
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if accessPointID != "" {
			var ap models.AccessPoint
			if err := tx.First(&ap, "id = ?", accessPointID).Error; err != nil {
				return &models.RuleError{Field: models.FieldAccessPoint, Rule: "access-point-unknown", Message: fmt.Sprintf("%q is not an access point; `/leaseline access-points` lists them.", accessPointID),
					Args: map[string]any{"Input": strconv.Quote(accessPointID)}}
			}
		}
		now := s.now()
		t = models.Ticket{Kind: models.TicketEnquiry, AccountID: actor.AccountID, AccessPointID: accessPointID, Text: text,
			State: models.TicketOpen, SubmittedBy: actor.UserID, ReplyChannel: replyChannel, StaffChannel: s.cfg.StaffChannel,
			CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&t).Error; err != nil {
			return fmt.Errorf("record enquiry: %w", err)
		}
		return s.ticketNotice(tx, &t, models.NoticeEnquiry, s.cfg.StaffChannel)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// AnswerEnquiry records staff's answer to an enquiry and tells the customer.
func (s *Store) AnswerEnquiry(ctx context.Context, actor models.Actor, ticketID int64, answer string) (*models.Ticket, error) {
	if actor.Role != models.RoleStaff {
		return nil, models.ErrForbidden
	}
	answer = strings.TrimSpace(answer)
	if answer == "" {
		return nil, &models.RuleError{Field: "Answer", Rule: "answer-required", Message: "Write the answer to the enquiry.", Args: map[string]any{}}
	}
	var t models.Ticket
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.forUpdate(tx).First(&t, ticketID).Error; err != nil {
			return translate(err)
		}
		if t.Kind != models.TicketEnquiry {
			return models.ErrNotFound
		}
		if t.State != models.TicketOpen {
			return &models.AlreadyDoneError{Action: "answer", By: t.AnsweredBy, At: t.UpdatedAt}
		}
		t.Answer, t.AnsweredBy, t.State, t.UpdatedAt = answer, actor.UserID, models.TicketAnswered, s.now()
		if err := tx.Save(&t).Error; err != nil {
			return fmt.Errorf("answer enquiry %d: %w", t.ID, err)
		}
		return s.ticketNotice(tx, &t, models.NoticeEnquiryAnswered, t.ReplyChannel)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (s *Store) ticketNotice(tx *gorm.DB, t *models.Ticket, kind models.NoticeKind, channel string) error {
	if channel == "" {
		return nil
	}
	now := s.now()
	return s.addNotice(tx, &models.Notice{
		Key: fmt.Sprintf("ticket/%d/%s/%s", t.ID, kind, channel), Kind: kind, Channel: channel, ConnectionID: t.ConnectionID,
		Data: fmt.Sprintf(`{"ticket_id":%d}`, t.ID), State: models.NoticePending, NextAttemptAt: now, CreatedAt: now,
	})
}

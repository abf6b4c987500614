// Package handlers turns Slack payloads into leaseline's use cases and their
// results into Block Kit: one file per journey step. Every handler acks
// Slack at once (bot.Handler's ack) and does its database and Web API work
// after the ack, except view submissions, whose rule checks must come back
// in the ack as inline errors.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/handlers/letter"
	"github.com/leaseline/leaseline/models"
)

// Store is what the handlers need of the store (*store.Store has it), in
// models' types: the small interfaces below, one per side of the work.
type Store interface {
	Lifecycle
	Connections
	Catalog
	Accounts
	Cards
	Visits
	Languages
	CalendarLinks
}

// Lifecycle changes connections and tickets: each call is one transaction
// that checks the rules, writes the audit trail and records the notices.
type Lifecycle interface {
	Apply(ctx context.Context, actor models.Actor, app models.Application, channel string) (*models.Connection, error)
	Resubmit(ctx context.Context, actor models.Actor, id int64, app models.Application) (*models.Connection, error)
	RequestBandwidth(ctx context.Context, actor models.Actor, id int64, mbps int) (*models.Connection, error)
	DecideBandwidth(ctx context.Context, actor models.Actor, id int64, approve bool, reason string) (*models.Connection, error)
	Act(ctx context.Context, actor models.Actor, id int64, in models.ActInput) (*models.Connection, error)
	// ActDetail is Act returning the connection's detail after the action,
	// the connection loaded once.
	ActDetail(ctx context.Context, actor models.Actor, id int64, in models.ActInput) (*models.Detail, error)
	Pay(ctx context.Context, actor models.Actor, id int64) (*models.Connection, error)
	SubmitSurvey(ctx context.Context, actor models.Actor, id int64, sv models.Survey) (*models.Connection, error)
	SubmitTicket(ctx context.Context, actor models.Actor, id int64, text, replyChannel string) (*models.Ticket, error)
	Enquire(ctx context.Context, actor models.Actor, accessPointID, text, replyChannel string) (*models.Ticket, error)
	AnswerEnquiry(ctx context.Context, actor models.Actor, ticketID int64, answer string) (*models.Ticket, error)
}

// Connections reads connections and tickets as an actor may see them.
type Connections interface {
	Find(ctx context.Context, actor models.Actor, ref string) (*models.Connection, error)
	Detail(ctx context.Context, actor models.Actor, id int64) (*models.Detail, error)
	List(ctx context.Context, actor models.Actor, limit int) ([]models.Connection, error)
	// ListPage and StaffQueuePage read one page of List (or ListAll) and
	// of the staff queue from a cursor, and say whether more lie beyond.
	ListPage(ctx context.Context, actor models.Actor, page models.Page) ([]models.Connection, bool, error)
	StaffQueuePage(ctx context.Context, page models.Page) ([]models.Connection, bool, error)
	// InProgress is an account's connections waiting on somebody (status
	// and step only), for its panel.
	InProgress(ctx context.Context, accountID int64) ([]models.Connection, error)
	RedundancyCandidates(ctx context.Context, actor models.Actor, regionID string) ([]models.Connection, error)
	Ticket(ctx context.Context, id int64) (*models.Ticket, error)
}

// Catalog reads the regions, access points, providers and calendars.
type Catalog interface {
	Regions(ctx context.Context) ([]models.Region, error)
	AccessPoints(ctx context.Context, regionID string) ([]models.AccessPoint, error)
	AccessPoint(ctx context.Context, id string) (*models.AccessPoint, error)
	Providers(ctx context.Context) ([]models.Provider, error)
	CalendarDays(ctx context.Context, regionID string) ([]models.CalendarDay, error)
	// Inventory is the ports of one access point ("" all) by port type.
	Inventory(ctx context.Context, accessPointID string) ([]models.PortStock, error)
}

// Accounts resolves who is asking and keeps customer accounts, their
// channels, panels and balances.
type Accounts interface {
	ResolveCustomer(ctx context.Context, teamID, channelID, userID string) (int64, error)
	ProviderByChannel(ctx context.Context, channelID string) (*models.Provider, error)
	Account(ctx context.Context, id int64) (*models.Account, error)
	AccountByName(ctx context.Context, name string) (*models.Account, error)
	CreateAccount(ctx context.Context, actor models.Actor, name, slackTeamID, currency string) (*models.Account, error)
	LinkChannel(ctx context.Context, actor models.Actor, channelID string, accountID int64) error
	AddAccountUser(ctx context.Context, actor models.Actor, userID string, accountID int64) error
	AccountChannels(ctx context.Context, accountID int64) ([]models.AccountChannel, error)
	SetPanel(ctx context.Context, channelID, ts string) error
	Balance(ctx context.Context, accountID int64) (int64, error)
	Credit(ctx context.Context, actor models.Actor, accountID, cents int64, reason string) error
	// Members of linked channels (members.go).
	StaleMemberChannels(ctx context.Context, since time.Time) ([]string, error)
	SetChannelMembers(ctx context.Context, channelID string, members []string, at time.Time) error
	ChannelMemberChanged(ctx context.Context, channelID, userID string, joined bool) error
	UserAccounts(ctx context.Context, userID string) ([]int64, error)
}

// Slack is the part of the Slack Web API the handlers call; *slack.Client
// has it.
type Slack interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	UpdateViewContext(ctx context.Context, view slack.ModalViewRequest, externalID, hash, viewID string) (*slack.ViewResponse, error)
	PushViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	GetUserGroupMembersContext(ctx context.Context, userGroup string, options ...slack.GetUserGroupMembersOption) ([]string, error)
	GetUsersInConversationContext(ctx context.Context, params *slack.GetUsersInConversationParameters) ([]string, string, error)
	// users.info (with include_locale) and conversations.info: the
	// reader's language (language.go).
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
	GetConversationInfoContext(ctx context.Context, input *slack.GetConversationInfoInput) (*slack.Channel, error)
}

// Responder posts to a response_url (bot.Responder has it).
type Responder interface {
	Respond(ctx context.Context, responseURL string, msg any) error
}

// Config is the handlers' configuration.
type Config struct {
	// StaffUsers are the Slack user IDs of staff.
	StaffUsers []string
	// StaffGroup is a Slack user group whose members are staff (optional:
	// user groups need a paid plan, so StaffUsers must work alone).
	StaffGroup string
	// StaffChannel is where reviews, tickets and alerts go.
	StaffChannel string
	// CatalogWarning says what the operator must fix in the catalog (none
	// loaded, or an example), "" when nothing; staff see it atop App Home.
	// nil: never.
	CatalogWarning func(ctx context.Context) string
	// CardUpdated, when set, sees every card settled in place (the demo
	// prints them).
	CardUpdated func(c models.Card, blocks []slack.Block)
	// Operator and OperatorAddress name the issuer on the entry letter
	// (notices_letter.go); "" shows a dash.
	Operator, OperatorAddress string
	// PublicURL is the base URL of the public listener (LEASELINE_PUBLIC_URL):
	// calendar links are PublicURL + /calendar/<token>.ics ("": only the path).
	PublicURL string
	Now       func() time.Time
	Logger    *slog.Logger
}

// App holds the handlers' dependencies.
type App struct {
	store  Store
	slack  Slack
	resp   Responder
	cfg    Config
	log    *slog.Logger
	groups groupCache
	words  *lang.Catalog
	helps  map[lang.Lang]any // the help's ack per language (commands.go)
	// letters draws entry letters; it parses its fonts once
	// (notices_letter.go).
	letters *letter.Renderer
	// locales caches people's Slack locales and DM channels' users
	// (language.go).
	locales localeCache
}

// New builds the handlers.
func New(st Store, client Slack, resp Responder, cfg Config) *App {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	words := lang.MustLoad()
	return &App{store: st, slack: client, resp: resp, cfg: cfg, log: cfg.Logger, words: words, helps: helpAcks(words),
		letters: letter.NewRenderer(words)}
}

// Action IDs and view callback IDs. A value carries the connection ID.
const (
	cmdName = "/leaseline"

	actApply          = "ll_apply"       // open the apply form
	actApplyAP        = "ll_apply_ap"    // access point chosen in the apply form
	actList           = "ll_list"        // My connections
	actAccessPoints   = "ll_aps"         // Access points
	actEnquire        = "ll_enquire"     // open the enquiry form
	actAnswer         = "ll_answer"      // staff: answer an enquiry
	actApprove        = "ll_approve"     // staff
	actReject         = "ll_reject"      // staff: opens the reason modal
	actPay            = "ll_pay"         // customer: opens the pay modal
	actView           = "ll_view"        // port information
	actNotifyProvider = "ll_notify"      // customer
	actSurvey         = "ll_survey"      // provider: opens the survey modal
	actTicket         = "ll_ticket"      // customer: opens the ticket modal
	actComplete       = "ll_complete"    // provider/staff: opens the completion modal
	actConfirm        = "ll_confirm"     // customer
	actCancel         = "ll_cancel"      // customer/staff: opens the cancel modal
	actShow           = "ll_show"        // details and audit trail
	actHomeRefresh    = "ll_home"        // App Home refresh
	actSurveyMore     = "ll_survey_more" // survey modal: one more engineer
	viewApply         = "ll_v_apply"     // apply form
	viewReject        = "ll_v_reject"    // reject reason
	viewPay           = "ll_v_pay"       // pay confirmation
	viewSurvey        = "ll_v_survey"    // provider survey
	viewTicket        = "ll_v_ticket"    // construction ticket
	viewComplete      = "ll_v_complete"  // construction complete
	viewCancel        = "ll_v_cancel"    // cancel reason
	viewEnquire       = "ll_v_enquire"   // access point enquiry
	viewAnswer        = "ll_v_answer"    // staff answer
	viewLink          = "ll_v_link"      // staff: link a channel
)

// actor works out who a Slack user is in this request: staff (configured
// IDs or user group), a provider (in its own channel), or a customer of the
// account that the user, the channel or the Slack team is linked to.
func (a *App) actor(ctx context.Context, teamID, channelID, userID string) (models.Actor, error) {
	staff, staffErr := a.isStaff(ctx, userID)
	if staff {
		return models.Actor{UserID: userID, Role: models.RoleStaff}, nil
	}
	if channelID != "" {
		p, err := a.store.ProviderByChannel(ctx, channelID)
		switch {
		case err == nil:
			return models.Actor{UserID: userID, Role: models.RoleProvider, ProviderID: p.ID}, nil
		case !errors.Is(err, models.ErrNotFound):
			return models.Actor{}, fmt.Errorf("resolve provider of channel: %w", err)
		}
	}
	actor, err := a.customerActor(ctx, teamID, channelID, userID)
	if err != nil && staffErr != nil && (errors.Is(err, models.ErrNoAccount) || errors.Is(err, models.ErrNotFound)) {
		// Perhaps staff, but the group could not say: refuse, saying so.
		return models.Actor{UserID: userID}, staffErr
	}
	return actor, err
}

// errStaffUnverified means the staff user group could not be looked up, so
// whether the user is staff is unknown: staff rights are refused, never
// assumed.
var errStaffUnverified = errors.New("staff could not be verified")

// isStaff reports whether the user is staff: a configured ID, or a member of
// the staff user group (looked up at most once a minute). When the group
// cannot be looked up it returns false and an error wrapping
// errStaffUnverified: a failed lookup grants nothing, not even to members
// of an earlier answer.
func (a *App) isStaff(ctx context.Context, userID string) (bool, error) {
	if slices.Contains(a.cfg.StaffUsers, userID) {
		return true, nil
	}
	if a.cfg.StaffGroup == "" {
		return false, nil
	}
	members, err := a.groups.members(ctx, a.cfg.Now(), func(ctx context.Context) ([]string, error) {
		return a.slack.GetUserGroupMembersContext(ctx, a.cfg.StaffGroup)
	})
	if err != nil {
		a.log.WarnContext(ctx, "staff user group lookup failed; staff rights refused", "request_id", bot.RequestID(ctx), "group", a.cfg.StaffGroup, "err", err)
		return false, fmt.Errorf("members of staff user group %s: %w: %w", a.cfg.StaffGroup, errStaffUnverified, err)
	}
	return slices.Contains(members, userID), nil
}

// groupCache keeps the staff user group's members for a minute.
type groupCache struct {
	mu  sync.Mutex
	at  time.Time
	ids []string
}

// members returns the cached members, or loads them when the cache is empty
// or a minute old. A failed load returns the error and no members.
func (g *groupCache) members(ctx context.Context, now time.Time, load func(context.Context) ([]string, error)) ([]string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.at.IsZero() && now.Sub(g.at) >= 0 && now.Sub(g.at) < time.Minute {
		return g.ids, nil
	}
	m, err := load(ctx)
	if err != nil {
		return nil, err
	}
	g.ids, g.at = m, now
	return m, nil
}

// fallback answers anything unrouted without an error dump.
func (a *App) fallback(ctx context.Context, req bot.Request) (any, func(context.Context)) {
	if req.Kind == bot.KindCommand {
		user := ""
		if req.Command != nil {
			user = req.Command.UserID
		}
		return a.helpAck(a.forUser(ctx, user)), nil
	}
	return nil, nil
}

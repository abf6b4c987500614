package store

// Who belongs to which customer account beyond `adduser`: the members of
// its linked channels, as Slack last said. And the requests already seen,
// shared by every replica.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SeenKeep is how long a request's dedup key is remembered: past Slack's
// five-minute signature window, so an exact replay is always caught.
const SeenKeep = 10 * time.Minute

// ClaimSeen claims a Slack request's dedup key for this replica's handler
// (bot.Deduper). claimed reports that the caller holds it and should run the
// request, then call SeenDone: no replica had seen the key within SeenKeep,
// or one claimed it more than staleAfter ago and never marked it done (it
// died before acking); of several replicas taking over a claim at once,
// exactly one wins. Otherwise done reports whether the request was handled
// (false: another handler claimed it within staleAfter and may still be
// running). Concurrent claims are written together (seen.go). Older keys
// are pruned as it goes.
func (s *Store) ClaimSeen(ctx context.Context, key string, staleAfter time.Duration) (claimed, done bool, err error) {
	inserted, err := s.claimNew(ctx, key)
	if err != nil {
		return false, false, err
	}
	if inserted {
		return true, false, nil
	}
	now := s.now()
	db := s.db.WithContext(ctx)
	// A repeat: take the key over if its claim is forgotten or abandoned.
	// The condition is checked by the UPDATE itself, so one replica wins.
	res := db.Exec(`UPDATE slack_seen SET seen_at = ?, done = ? WHERE key = ? AND (seen_at < ? OR (NOT done AND seen_at < ?))`,
		now, false, key, now.Add(-SeenKeep), now.Add(-staleAfter))
	if res.Error != nil {
		return false, false, fmt.Errorf("take over request seen: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return true, false, nil
	}
	var rows []bool
	if err := db.Raw(`SELECT done FROM slack_seen WHERE key = ?`, key).Scan(&rows).Error; err != nil {
		return false, false, fmt.Errorf("read request seen: %w", err)
	}
	// A row pruned meanwhile was long done.
	return false, len(rows) == 0 || rows[0], nil
}

// SeenDone marks claimed requests' dedup keys handled: their acks are sent,
// so a repeat is dropped rather than taken over. The keys go in one
// statement per 500.
func (s *Store) SeenDone(ctx context.Context, keys ...string) error {
	db := s.db.WithContext(ctx)
	for chunk := range slices.Chunk(keys, 500) {
		if err := db.Exec(`UPDATE slack_seen SET done = ? WHERE key IN ?`, true, chunk).Error; err != nil {
			return fmt.Errorf("mark %d requests seen done: %w", len(chunk), err)
		}
	}
	return nil
}

// channelMember is a row of channel_members.
type channelMember struct {
	ChannelID string `gorm:"primaryKey"`
	UserID    string `gorm:"primaryKey"`
}

func (channelMember) TableName() string { return "channel_members" }

// StaleMemberChannels lists the linked channels whose member list was last
// read from Slack before since (or never).
func (s *Store) StaleMemberChannels(ctx context.Context, since time.Time) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Table("account_channels").
		Where("members_at IS NULL OR members_at < ?", since.UTC()).Order("channel_id").Pluck("channel_id", &out).Error
	if err != nil {
		return nil, fmt.Errorf("list channels to refresh: %w", err)
	}
	return out, nil
}

// SetChannelMembers replaces a linked channel's member list with the one
// Slack gave, read at at.
func (s *Store) SetChannelMembers(ctx context.Context, channelID string, members []string, at time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("channel_id = ?", channelID).Delete(&channelMember{}).Error; err != nil {
			return fmt.Errorf("clear members of %s: %w", channelID, err)
		}
		slices.Sort(members)
		members = slices.Compact(members)
		rows := make([]channelMember, 0, len(members))
		for _, m := range members {
			rows = append(rows, channelMember{ChannelID: channelID, UserID: m})
		}
		if len(rows) > 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 500).Error; err != nil {
				return fmt.Errorf("store members of %s: %w", channelID, err)
			}
		}
		if err := tx.Table("account_channels").Where("channel_id = ?", channelID).Update("members_at", at.UTC()).Error; err != nil {
			return fmt.Errorf("mark members of %s read: %w", channelID, err)
		}
		return nil
	})
}

// ChannelMemberChanged records that user joined (or left) a channel, as
// Slack's member_joined_channel and member_left_channel events say.
func (s *Store) ChannelMemberChanged(ctx context.Context, channelID, userID string, joined bool) error {
	db := s.db.WithContext(ctx)
	var err error
	if joined {
		// Only linked channels' members are kept.
		err = db.Exec(`INSERT INTO channel_members (channel_id, user_id)
SELECT channel_id, ? FROM account_channels WHERE channel_id = ? ON CONFLICT DO NOTHING`, userID, channelID).Error
	} else {
		err = db.Where("channel_id = ? AND user_id = ?", channelID, userID).Delete(&channelMember{}).Error
	}
	if err != nil {
		return fmt.Errorf("record member change of %s in %s: %w", userID, channelID, err)
	}
	return nil
}

// UserAccounts lists, by name, the accounts a Slack user belongs to: the
// one staff added them to, and those of every linked channel they are a
// member of.
func (s *Store) UserAccounts(ctx context.Context, userID string) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Raw(`SELECT a.id FROM accounts a WHERE a.id IN (
    SELECT account_id FROM account_users WHERE slack_user_id = ?
    UNION SELECT ac.account_id FROM account_channels ac JOIN channel_members m ON m.channel_id = ac.channel_id WHERE m.user_id = ?
) ORDER BY a.name, a.id`, userID, userID).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("accounts of %s: %w", userID, err)
	}
	return ids, nil
}

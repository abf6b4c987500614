package slackfake

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"strconv"
	"strings"
)

// Files: Slack's external upload flow. files.getUploadURLExternal hands
// out an upload URL served by the fake itself (uploadPath + file ID), the
// client POSTs the bytes there (multipart, field "file"), and
// files.completeUploadExternal shares the file: in a channel (or a thread)
// it becomes a message whose files list names it, with the initial comment
// as its text. Tests read the shared files with Files.

// uploadPath is where the fake receives uploads.
const uploadPath = "/upload/"

// File is a file uploaded to the fake.
type File struct {
	ID       string
	Name     string // the filename given to files.getUploadURLExternal
	Title    string
	Length   int // the length announced
	Content  []byte
	Channel  string // where completeUploadExternal shared it ("" not yet)
	ThreadTS string
	Comment  string
	TS       string // the message that shares it
}

// FileShare is a file as a message's files list shows it.
type FileShare struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Title string `json:"title"`
	Size  int    `json:"size"`
}

// Files returns the files shared in channel, oldest first.
func (s *Server) Files(channel string) []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []File
	for _, id := range s.fileOrder {
		if f := s.files[id]; f.Channel == channel {
			c := *f
			c.Content = bytes.Clone(f.Content)
			out = append(out, c)
		}
	}
	return out
}

// filesLocked answers the files.* methods and the upload URL.
func (s *Server) filesLocked(c Call, host string) map[string]any {
	switch {
	case c.Method == "files.getUploadURLExternal":
		n, err := strconv.Atoi(c.Param("length"))
		if c.Param("filename") == "" || err != nil || n <= 0 {
			return fail("invalid_arguments")
		}
		s.seq++
		id := fmt.Sprintf("F%08d", s.seq)
		s.files[id] = &File{ID: id, Name: c.Param("filename"), Length: n}
		s.fileOrder = append(s.fileOrder, id)
		return ok(map[string]any{"upload_url": "http://" + host + uploadPath + id, "file_id": id})
	case strings.HasPrefix(c.Path, uploadPath):
		f := s.files[strings.TrimPrefix(c.Path, uploadPath)]
		if f == nil {
			return fail("file_not_found")
		}
		content, err := multipartFile(c.Body)
		if err != nil {
			return fail("invalid_form_data")
		}
		f.Content = content
		return ok(map[string]any{})
	case c.Method == "files.completeUploadExternal":
		var sums []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		}
		if err := c.JSONParam("files", &sums); err != nil || len(sums) == 0 {
			return fail("invalid_arguments")
		}
		ch := PostedIn(c.Param("channel_id"))
		var shares []FileShare
		var out []map[string]any
		for _, sum := range sums {
			f := s.files[sum.ID]
			if f == nil || f.Content == nil || f.Channel != "" {
				return fail("file_not_found")
			}
			if len(f.Content) != f.Length {
				return fail("file_upload_size_mismatch")
			}
			f.Title = sum.Title
			shares = append(shares, FileShare{ID: f.ID, Name: f.Name, Title: f.Title, Size: len(f.Content)})
			out = append(out, map[string]any{"id": f.ID, "title": f.Title})
		}
		if ch != "" {
			m := &Message{Type: "message", Channel: ch, User: BotUID, BotID: BotID, Text: c.Param("initial_comment"),
				TS: s.nextTSLocked(), ThreadTS: c.Param("thread_ts"), Files: shares}
			if m.ThreadTS != "" {
				s.threadLocked(m, false)
			}
			s.messages[ch] = append(s.messages[ch], m)
			for _, sh := range shares {
				f := s.files[sh.ID]
				f.Channel, f.ThreadTS, f.Comment, f.TS = ch, m.ThreadTS, m.Text, m.TS
			}
		}
		return ok(map[string]any{"files": out})
	}
	return fail("unknown_method")
}

// multipartFile reads the "file" part of a multipart body (its boundary
// read from its first line).
func multipartFile(body []byte) ([]byte, error) {
	first, _, found := bytes.Cut(body, []byte("\r\n"))
	if !found || !bytes.HasPrefix(first, []byte("--")) {
		return nil, fmt.Errorf("not a multipart body")
	}
	r := multipart.NewReader(bytes.NewReader(body), string(first[2:]))
	for {
		p, err := r.NextPart()
		if err != nil {
			return nil, fmt.Errorf("no file part: %w", err)
		}
		if p.FormName() == "file" {
			return io.ReadAll(p)
		}
	}
}

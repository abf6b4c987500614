package slackfake_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// slack-go's upload (files.getUploadURLExternal, the POST to the upload
// URL the fake serves, files.completeUploadExternal) leaves the file's
// bytes in the fake and a message sharing it in the channel's history.
func TestFileUpload(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
	ctx := context.Background()
	content := []byte("%PDF-1.3 fake\x00\xff binary")

	sum, err := api.UploadFileContext(ctx, slack.UploadFileParameters{Channel: "C1", Filename: "letter.pdf", Title: "Letter",
		InitialComment: "here it is", Reader: bytes.NewReader(content), FileSize: len(content)})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	files := fake.Files("C1")
	if len(files) != 1 || files[0].ID != sum.ID || files[0].Name != "letter.pdf" || files[0].Title != "Letter" ||
		files[0].Comment != "here it is" || !bytes.Equal(files[0].Content, content) {
		t.Fatalf("files in C1: %+v (summary %+v)", files, sum)
	}
	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Messages) != 1 || hist.Messages[0].Text != "here it is" || len(hist.Messages[0].Files) != 1 ||
		hist.Messages[0].Files[0].Name != "letter.pdf" || hist.Messages[0].Files[0].ID != sum.ID {
		t.Fatalf("history: %+v", hist.Messages)
	}
	if len(fake.Files("C2")) != 0 {
		t.Error("file shown in another channel")
	}

	// Completing an upload the fake never handed out is refused.
	if _, err := api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
		Files: []slack.FileSummary{{ID: "F404"}}, Channel: "C1"}); err == nil {
		t.Error("completing an unknown upload succeeded")
	}
}

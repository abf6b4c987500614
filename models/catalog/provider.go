package catalog

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/leaseline/leaseline/models"
)

func (p *parser) provider(s *state, n *yaml.Node, path string) {
	f := p.mapping(n, path, "id", "kind", "name", "name_zh", "slack_channel", "contacts", "language")
	if f == nil {
		return
	}
	id, _ := p.id(f, s.providers, "provider")
	kindText, kindNode := f.str("kind", true)
	var kind models.ProviderKind
	if kindNode != nil && kindText != "" {
		for _, k := range models.ProviderKinds {
			if strings.EqualFold(kindText, string(k)) {
				kind = k
			}
		}
		if kind == "" {
			p.errorf(kindNode, join(path, "kind"), "%q is not a provider kind; use one of %s", kindText, joinKinds())
		}
	}
	name, _ := f.str("name", true)
	nameZh, _ := f.str("name_zh", false)
	channel, chNode := f.str("slack_channel", false)
	if chNode != nil && channel != "" && !channelPattern.MatchString(channel) {
		p.errorf(chNode, join(path, "slack_channel"), "%q is not a Slack channel ID (C or G followed by 8 to 20 capital letters or digits, e.g. C0123456789)", channel)
	}
	contacts, _ := f.str("contacts", false)
	language, langNode := f.str("language", false)
	if langNode != nil && language != "" {
		var ok bool
		if language, ok = providerLanguage(language); !ok {
			p.errorf(langNode, join(path, "language"), "%q is not a language leaseline speaks; use en or zh-CN", language)
		}
	}
	s.c.Providers = append(s.c.Providers, models.Provider{ID: id, Kind: kind, Name: name, NameZh: nameZh, SlackChannel: channel, Contacts: contacts, Language: language})
}

// providerLanguage is the default language of a provider's channel as
// stored: "en" or "zh-CN", written in any case, with - or _.
func providerLanguage(s string) (string, bool) {
	switch strings.ToLower(strings.ReplaceAll(s, "_", "-")) {
	case "en":
		return "en", true
	case "zh-cn":
		return "zh-CN", true
	}
	return s, false
}

func joinKinds() string {
	ks := make([]string, len(models.ProviderKinds))
	for i, k := range models.ProviderKinds {
		ks[i] = string(k)
	}
	return strings.Join(ks, ", ")
}

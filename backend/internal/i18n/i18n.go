// Package i18n is the text the server writes itself, in the reader's
// language: the headers and labels of Excel exports and the words of
// printouts. Everything else the UI translates from codes (errors: see
// apperr; labels: the API sends codes). One message catalogue per language
// (messages/<tag>.json, embedded) is loaded into a go-i18n bundle; the
// language comes from the request's Accept-Language, zh-CN by default.
// A test fails when a message id used in the code is missing from a
// catalogue, or when the catalogues differ in their ids.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed messages/*.json
var files embed.FS

// Default is the language of a request that names none the server knows.
const Default = "zh-CN"

// Catalogue holds every language's messages.
type Catalogue struct {
	bundle  *goi18n.Bundle
	tags    []language.Tag // the matcher's order: zh-CN first
	matcher language.Matcher
}

// New loads the embedded catalogues. It fails only on a malformed file,
// which the package's tests catch.
func New() (*Catalogue, error) {
	b := goi18n.NewBundle(language.MustParse(Default))
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	names, err := fs.Glob(files, "messages/*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list catalogues: %w", err)
	}
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", name, err)
		}
		if _, err := b.ParseMessageFileBytes(data, path.Base(name)); err != nil {
			return nil, fmt.Errorf("i18n: parse %s: %w", name, err)
		}
	}
	// zh-CN first: a request that names no known language gets it.
	tags := []language.Tag{language.MustParse(Default)}
	for _, t := range b.LanguageTags() {
		if t != tags[0] {
			tags = append(tags, t)
		}
	}
	return &Catalogue{bundle: b, tags: tags, matcher: language.NewMatcher(tags)}, nil
}

// Languages lists the tags the catalogue has messages for.
func (c *Catalogue) Languages() []string {
	var out []string
	for _, t := range c.bundle.LanguageTags() {
		out = append(out, t.String())
	}
	return out
}

// For returns a Translator for the first of prefs the catalogue knows;
// prefs are Accept-Language values ("en-US,en;q=0.9") or tags. With none
// known it speaks zh-CN.
func (c *Catalogue) For(prefs ...string) Translator {
	var wanted []language.Tag
	for _, p := range prefs {
		tags, _, err := language.ParseAcceptLanguage(p)
		if err == nil {
			wanted = append(wanted, tags...)
		}
	}
	lang := Default
	if _, i, conf := c.matcher.Match(wanted...); conf != language.No {
		lang = c.tags[i].String()
	}
	return Translator{loc: goi18n.NewLocalizer(c.bundle, lang)}
}

// Translator says the catalogue's messages in one language. The zero
// Translator speaks zh-CN (Default), so a document built without a
// request (a job, a test) reads as before.
type Translator struct {
	loc *goi18n.Localizer
}

// defaultCatalogue is the embedded catalogue the zero Translator reads,
// loaded once on first use and never changed after.
var defaultCatalogue = sync.OnceValues(New)

func (t Translator) localizer() *goi18n.Localizer {
	if t.loc != nil {
		return t.loc
	}
	c, err := defaultCatalogue()
	if err != nil {
		return nil
	}
	return c.For(Default).loc
}

// T returns message id with data filled in ({{.Name}} in the catalogue).
// An id no catalogue has comes back as the id itself: a missing message is
// visible, never a blank header (and TestEveryMessageIDIsInEveryCatalogue
// fails on it).
func (t Translator) T(id string, data ...map[string]any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	loc := t.localizer()
	if loc == nil {
		return id
	}
	s, err := loc.Localize(cfg)
	if err != nil || s == "" {
		return id
	}
	return s
}

// All returns a Translator for every language of the embedded catalogue,
// zh-CN first: what an import reads back (headers and words a template
// wrote in any of them).
func All() []Translator {
	c, err := defaultCatalogue()
	if err != nil {
		return []Translator{{}}
	}
	out := make([]Translator, 0, len(c.tags))
	for _, t := range c.tags {
		out = append(out, Translator{loc: goi18n.NewLocalizer(c.bundle, t.String())})
	}
	return out
}

// Label returns the message of a code through ids (code → message id,
// a map of literal ids the completeness test reads); a code with no id
// comes back as itself, so an unknown code shows rather than a blank.
func (t Translator) Label(ids map[string]string, code string) string {
	if _, ok := ids[code]; !ok {
		return code
	}
	return t.T(ids[code])
}

// Lang is the tag of the language t speaks ("zh-CN" or "en").
func (t Translator) Lang() string {
	loc := t.localizer()
	if loc == nil {
		return Default
	}
	_, tag, err := loc.LocalizeWithTag(&goi18n.LocalizeConfig{MessageID: "language.name"})
	if err != nil {
		return Default
	}
	return tag.String()
}

// Package frontend embeds the built web app so the binary serves it.
package frontend

import "embed"

// Dist holds the production build (only .gitkeep when the UI was not built).
//
//go:embed all:dist
var Dist embed.FS

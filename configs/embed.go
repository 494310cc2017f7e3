// Package configs embeds the shipped default configuration and the shipped
// certification standards, so the binary works from any directory. A file
// named in the configuration overrides the embedded copy.
package configs

import (
	"embed"
	"io/fs"
)

//go:embed aftersales.yaml
var defaultConfig []byte

//go:embed standards/*.yaml
var standards embed.FS

// DefaultConfig returns the shipped configs/aftersales.yaml.
func DefaultConfig() []byte { return defaultConfig }

// Standards returns the shipped standard files (gbt27922-2011.yaml, …) at the
// root of the returned file system.
func Standards() fs.FS {
	sub, err := fs.Sub(standards, "standards")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sub
}

// ShippedStandard is the file name of the standard scored by default.
const ShippedStandard = "gbt27922-2011.yaml"

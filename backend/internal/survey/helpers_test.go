package survey

import (
	"strconv"
	"strings"
)

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func itoa(i int) string { return strconv.Itoa(i) }

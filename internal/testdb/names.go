package testdb

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

//go:embed portuguese-order.txt
var portugueseOrder string

// PortugueseOrder returns the names of portuguese-order.txt, in the order
// a Brazilian reader sorts them, written out by hand: what the reports'
// text order (db.TextCollation) must give on every database.
func PortugueseOrder() []string {
	var names []string
	for i, line := range strings.Split(strings.TrimSpace(portugueseOrder), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, err := strconv.Unquote(line)
		if err != nil {
			panic(fmt.Sprintf("portuguese-order.txt:%d: %v", i+1, err))
		}
		names = append(names, name)
	}
	return names
}

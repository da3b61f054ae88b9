// Command sqlitedrivers times a SQLite driver other than the server's
// running one SELECT and discarding the rows as raw text, to set beside
// `benchtool sqlitefloor` (the server's modernc.org/sqlite through
// database/sql) and the sqlite3 CLI:
//
//	sqlitedrivers -db FILE -sql FILE
//
// It prints seconds, rows and bytes read, tab-separated. The driver is
// github.com/ncruces/go-sqlite3 (SQLite's C compiled to WebAssembly and
// translated to Go by wasm2go: no CGO), used through its own statement API,
// below database/sql. It lives
// in a module of its own so that the server's go.mod does not carry a
// driver it does not use.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/ncruces/go-sqlite3"
)

func main() {
	path := flag.String("db", "", "SQLite file")
	sqlPath := flag.String("sql", "", "file holding one SELECT")
	flag.Parse()
	query, err := os.ReadFile(*sqlPath)
	if err != nil {
		fatal(err)
	}
	start := time.Now()
	c, err := sqlite3.OpenFlags(*path, sqlite3.OPEN_READONLY)
	if err != nil {
		fatal(err)
	}
	defer c.Close()
	st, _, err := c.Prepare(string(query))
	if err != nil {
		fatal(err)
	}
	defer st.Close()
	var rows, bytes int64
	n := st.ColumnCount()
	for st.Step() {
		rows++
		for i := range n {
			bytes += int64(len(st.ColumnRawText(i)))
		}
	}
	if err := st.Err(); err != nil {
		fatal(err)
	}
	fmt.Printf("%.4f\t%d\t%d\n", time.Since(start).Seconds(), rows, bytes)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "sqlitedrivers:", err)
	os.Exit(1)
}

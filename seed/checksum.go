package seed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/schema/field"
	"github.com/google/uuid"

	"github.com/stift/stift-reports/ent/migrate"
)

// Checksum returns the hex SHA-256 of the contents of every table of the
// schema (migrate.Tables, in that order): each table's name, columns and
// rows, ordered by primary key. Values are rendered the same whatever the
// database: times as UTC RFC 3339 with nanoseconds, floats in Go's shortest
// 'g' form, booleans as true/false, UUIDs in canonical form, JSON
// re-encoded with sorted keys. Equal data gives equal checksums on SQLite
// and PostgreSQL.
func Checksum(ctx context.Context, db *sql.DB) (string, error) {
	h := sha256.New()
	for _, t := range migrate.Tables {
		if err := hashTable(ctx, db, h, t); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashTable writes table t to w: a header, then one line per row with each
// value as N (null) or its length and text, so no two contents collide.
func hashTable(ctx context.Context, db *sql.DB, w io.Writer, t *schema.Table) error {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = quote(c.Name)
	}
	order := cols
	if len(t.PrimaryKey) > 0 {
		order = make([]string, len(t.PrimaryKey))
		for i, c := range t.PrimaryKey {
			order[i] = quote(c.Name)
		}
	}
	query := fmt.Sprintf("SELECT %s FROM %s ORDER BY %s",
		strings.Join(cols, ", "), quote(t.Name), strings.Join(order, ", "))
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("seed: checksum of %s: %w", t.Name, err)
	}
	defer rows.Close()

	fmt.Fprintf(w, "table %q %q\n", t.Name, cols)
	values := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range values {
		dest[i] = &values[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("seed: checksum of %s: %w", t.Name, err)
		}
		for i, v := range values {
			if v == nil {
				io.WriteString(w, "N;")
				continue
			}
			s, err := render(t.Columns[i].Type, v)
			if err != nil {
				return fmt.Errorf("seed: checksum of %s.%s: %w", t.Name, t.Columns[i].Name, err)
			}
			fmt.Fprintf(w, "%d:%s;", len(s), s)
		}
		io.WriteString(w, "\n")
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("seed: checksum of %s: %w", t.Name, err)
	}
	fmt.Fprintf(w, "end %q %d\n", t.Name, n)
	return nil
}

// quote quotes an identifier the way SQLite and PostgreSQL both accept.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// render returns the dialect-independent text of a non-null value v of a
// column of type typ.
func render(typ field.Type, v any) (string, error) {
	switch typ {
	case field.TypeTime:
		t, err := asTime(v)
		if err != nil {
			return "", err
		}
		return t.UTC().Format(time.RFC3339Nano), nil
	case field.TypeBool:
		switch v := v.(type) {
		case bool:
			return strconv.FormatBool(v), nil
		case int64:
			return strconv.FormatBool(v != 0), nil
		}
	case field.TypeFloat32, field.TypeFloat64:
		switch v := v.(type) {
		case float64:
			return strconv.FormatFloat(v, 'g', -1, 64), nil
		case int64:
			return strconv.FormatFloat(float64(v), 'g', -1, 64), nil
		}
	case field.TypeUUID:
		u, err := asUUID(v)
		if err != nil {
			return "", err
		}
		return u.String(), nil
	case field.TypeJSON:
		return canonicalJSON(asText(v))
	}
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case string, []byte:
		return asText(v), nil
	}
	return "", fmt.Errorf("unexpected %T value for a %s column", v, typ)
}

// timeLayouts are the text forms of times a driver may return instead of a
// time.Time.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999 -0700 MST", // modernc.org/sqlite's default
	"2006-01-02 15:04:05.999999999-07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

func asTime(v any) (time.Time, error) {
	if t, ok := v.(time.Time); ok {
		return t, nil
	}
	s := asText(v)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unexpected time value %q", s)
}

func asUUID(v any) (uuid.UUID, error) {
	if b, ok := v.([]byte); ok && len(b) == 16 {
		return uuid.FromBytes(b)
	}
	return uuid.Parse(asText(v))
}

func asText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return fmt.Sprint(v)
}

// canonicalJSON re-encodes a JSON document compactly with sorted object
// keys, keeping numbers as written.
func canonicalJSON(s string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return "", fmt.Errorf("invalid JSON %q: %w", s, err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

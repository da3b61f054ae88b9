package download_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/stift/stift-reports/graph/download"
)

// TestPaging: the operation that reads one page of a connection's
// download is the client's with first and after as variables of its own,
// the edges it selected and pageInfo; what it no longer uses is left out.
func TestPaging(t *testing.T) {
	s := schema()
	const query = `query Q($from: Time!, $n: Int, $downloadFirst: Boolean = true, $c: Cursor, $where: UserWhereInput!) {
		__typename
		r: users(first: $n, after: $c, where: {or: [$where, {createdAtGTE: $from}]}, orderBy: {field: FIRST_NAME}) @include(if: $downloadFirst) {
			...Count
			pageInfo { hasNextPage }
			... on UserConnection { edges { cursor node { ...Named questions(first: 5, orderBy: {field: CREATED_AT}) { totalCount } createdAt @skip(if: $downloadFirst) } } }
		}
	}
	fragment Count on UserConnection { totalCount }
	fragment Named on User { firstName email }`
	doc, errs := gqlparser.LoadQueryWithRules(s, query, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	p, err := download.Parse(doc, "Q")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Connection() {
		t.Fatal("users is not read as a connection")
	}
	pg, err := p.Paging(map[string]any{"from": "2026-01-01T00:00:00Z", "n": int64(2500), "c": "cursor", "downloadFirst": true}, s)
	if err != nil {
		t.Fatal(err)
	}
	if pg.First != int64(2500) || pg.After != "cursor" || pg.FirstVar != "downloadFirst2" || pg.AfterVar != "downloadAfter" || pg.PageInfo != "downloadPageInfo" {
		t.Errorf("paging %+v", pg)
	}
	var text strings.Builder
	formatter.NewFormatter(&text).FormatQueryDocument(pg.Doc)
	got := strings.Join(strings.Fields(text.String()), " ")
	want := strings.Join(strings.Fields(`query Q ($from: Time!, $downloadFirst: Boolean = true, $where: UserWhereInput!, $downloadFirst2: Int, $downloadAfter: Cursor) {
		r: users(where: {or:[$where,{createdAtGTE:$from}]}, orderBy: {field:FIRST_NAME}, first: $downloadFirst2, after: $downloadAfter) @include(if: $downloadFirst) {
			edges { cursor node { ... Named questions(first: 5, orderBy: {field:CREATED_AT}) { totalCount } createdAt @skip(if: $downloadFirst) } }
			downloadPageInfo: pageInfo { hasNextPage endCursor }
		}
	}
	fragment Named on User { firstName email }`), " ")
	if got != want {
		t.Errorf("the page's operation:\n got %s\nwant %s", got, want)
	}
	if pg.Op.SelectionSet == nil || pg.Doc.Operations[0] != pg.Op {
		t.Error("the operation is not the document's")
	}

	// The page's variables.
	vars := pg.Vars(map[string]any{"from": "x"}, 1000, "c1")
	if want := map[string]any{"from": "x", "downloadFirst2": 1000, "downloadAfter": "c1"}; !reflect.DeepEqual(vars, want) {
		t.Errorf("vars %v, want %v", vars, want)
	}

	// A page of its result.
	page, err := p.Page([]byte(`{"__typename": "Query", "r": {"edges": [
		{"cursor": "a", "node": {"firstName": "Ana", "email": "a@x", "questions": {"totalCount": 3}, "createdAt": null}},
		{"cursor": "b", "node": {"firstName": "Bia", "email": "b@x", "questions": {"totalCount": 0}}}],
		"downloadPageInfo": {"hasNextPage": true, "endCursor": "b"}}}`), pg)
	if err != nil {
		t.Fatal(err)
	}
	if page.Len() != 2 || page.End != "b" || !page.More {
		t.Errorf("page: %d rows, end %v, more %v", page.Len(), page.End, page.More)
	}
	var rows [][]any
	for row, err := range p.PageRows(page, nil) {
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, append([]any(nil), row...))
	}
	if want := [][]any{{"Ana", "a@x", int64(3), nil}, {"Bia", "b@x", int64(0), nil}}; !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %v, want %v", rows, want)
	}
	last, err := p.Page([]byte(`{"r": {"edges": [], "downloadPageInfo": {"hasNextPage": false, "endCursor": null}}}`), pg)
	if err != nil || last.Len() != 0 || last.More {
		t.Errorf("last page: %+v, %v", last, err)
	}
}

// TestPagingRefused: a download reads forwards.
func TestPagingRefused(t *testing.T) {
	s := schema()
	for _, tt := range []struct{ query, want string }{
		{`{ users(last: 10) { edges { node { email } } } }`, "not last"},
		{`{ users(first: 10, before: "x") { edges { node { email } } } }`, "not before"},
	} {
		doc, errs := gqlparser.LoadQueryWithRules(s, tt.query, nil)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		p, err := download.Parse(doc, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Paging(nil, s); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error saying %q", tt.query, err, tt.want)
		}
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestInputValidation sends each invalid report input through both
// adapters, the REST endpoints and GraphQL, on the real handler: each
// rule of package report gives REST a 400 in the public API's shape and
// GraphQL a BAD_USER_INPUT naming the field, with the same message but
// for the inputs' names; nothing is logged at ERROR.
func TestInputValidation(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		ctx := auth.SystemContext(context.Background())
		g := d.Client.Group.Query().Order(ent.Asc(group.FieldName)).FirstX(ctx).ID.String()
		const (
			jan = `"2026-01-01T00:00:00Z"`
			feb = `"2026-02-01T00:00:00Z"`
		)
		janMs, febMs := ms("2026-01-01T00:00:00Z"), ms("2026-02-01T00:00:00Z")
		reversed := fmt.Sprintf(`"start_date": %d, "end_date": %d`, febMs, janMs)
		period := fmt.Sprintf(`"start_date": %d, "end_date": %d`, janMs, febMs)

		for _, tc := range []struct {
			name string
			// REST: the path and body, "" when the rule has no REST
			// input; the field and message it answers.
			path, body            string
			restField, restMessge string
			// GraphQL: the query, "" when the rule has no GraphQL input
			// (the schema requires the value); the field and message.
			query              string
			gqlField, gqlMessg string
		}{
			{name: "questions from after to",
				path: "/reports/questions", body: `{` + reversed + `}`,
				restField: "start_date", restMessge: "start_date is after end_date.",
				query:    `{ questionsReport(input: {from: ` + feb + `, to: ` + jan + `}) { totalCount } }`,
				gqlField: "from", gqlMessg: "from is after to."},
			{name: "questions count only, from after to",
				query:    `{ questionsReport(input: {from: ` + feb + `, to: ` + jan + `}, first: 0) { totalCount } }`,
				gqlField: "from", gqlMessg: "from is after to."},
			{name: "bookings from after to",
				path: "/reports/bookings", body: `{` + reversed + `}`,
				restField: "start_date", restMessge: "start_date is after end_date.",
				query:    `{ bookingsReport(input: {from: ` + feb + `, to: ` + jan + `}) { edges { cursor } } }`,
				gqlField: "from", gqlMessg: "from is after to."},
			{name: "groups usage from after to",
				path: "/reports/groups-usage", body: `{` + reversed + `, "group_ids": ["` + g + `"]}`,
				restField: "start_date", restMessge: "start_date is after end_date.",
				query:    `{ groupsUsage(input: {from: ` + feb + `, to: ` + jan + `, groupIds: ["` + g + `"]}) { totalQuestions } }`,
				gqlField: "from", gqlMessg: "from is after to."},
			{name: "groups usage with no groups",
				path: "/reports/groups-usage", body: `{` + period + `, "group_ids": []}`,
				restField: "group_ids", restMessge: "group_ids must not be empty.",
				query:    `{ groupsUsage(input: {from: ` + jan + `, to: ` + feb + `, groupIds: []}) { totalQuestions } }`,
				gqlField: "groupIds", gqlMessg: "groupIds must not be empty."},
			{name: "groups usage without groups",
				path: "/reports/groups-usage", body: `{` + period + `}`,
				restField: "group_ids", restMessge: "Missing group_ids."},
			{name: "questions without start_date",
				path: "/reports/questions", body: fmt.Sprintf(`{"end_date": %d}`, febMs),
				restField: "start_date", restMessge: "Missing start_date."},
			{name: "bookings without end_date",
				path: "/reports/bookings", body: fmt.Sprintf(`{"start_date": %d}`, janMs),
				restField: "end_date", restMessge: "Missing end_date."},
			{name: "question stats from after to",
				query:    `{ questionStats(filter: {from: ` + feb + `, to: ` + jan + `}, groupBy: []) { count } }`,
				gqlField: "from", gqlMessg: "from is after to."},
			{name: "booking stats from after to",
				query:    `{ bookingStats(filter: {from: ` + feb + `, to: ` + jan + `}, groupBy: [SCHOOL]) { count } }`,
				gqlField: "from", gqlMessg: "from is after to."},
			{name: "stats in an unknown time zone",
				query:    `{ questionStats(filter: {from: ` + jan + `, to: ` + feb + `}, groupBy: [], timeBucket: DAY, timezone: "Mars/Base") { count } }`,
				gqlField: "timezone", gqlMessg: `Unknown time zone "Mars/Base".`},
			{name: "stats in the server's time zone",
				query:    `{ bookingStats(filter: {from: ` + jan + `, to: ` + feb + `}, groupBy: [], timezone: "Local") { count } }`,
				gqlField: "timezone", gqlMessg: `Unknown time zone "Local".`},
			{name: "too many buckets",
				query:    `{ questionStats(filter: {from: "1900-01-01T00:00:00Z", to: ` + feb + `}, groupBy: [], timeBucket: DAY, timezone: "UTC") { count } }`,
				gqlField: "timeBucket", gqlMessg: "Time range too long for DAY buckets."},
			{name: "page too large",
				query:    `{ questionsReport(input: {from: ` + jan + `, to: ` + feb + `}, first: 1001) { totalCount } }`,
				gqlField: "first", gqlMessg: "first must be between 0 and 1000."},
			{name: "negative page",
				query:    `{ bookingsReport(input: {from: ` + jan + `, to: ` + feb + `}, first: -1) { totalCount } }`,
				gqlField: "first", gqlMessg: "first must be between 0 and 1000."},
			{name: "a word for a time",
				query:    `{ questionsReport(input: {from: "yesterday", to: ` + feb + `}) { totalCount } }`,
				gqlField: "input", gqlMessg: `Invalid Time "yesterday" in input: use RFC 3339 with a time zone, e.g. 2026-01-01T00:00:00Z.`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.path != "" {
					resp, raw := s.post(t, tc.path, s.token, "", tc.body)
					var e errorBody
					if err := json.Unmarshal(raw, &e); err != nil {
						t.Fatalf("REST body %q: %v", raw, err)
					}
					if resp.StatusCode != 400 || e.Error.Code != 400 || e.Error.Field != tc.restField || e.Error.Message != tc.restMessge {
						t.Errorf("REST: %d %+v, want 400 %q on %q", resp.StatusCode, e.Error, tc.restMessge, tc.restField)
					}
				}
				if tc.query != "" {
					errs := s.gql(t, s.token, tc.query, nil, nil)
					if len(errs) != 1 {
						t.Fatalf("GraphQL: errors %v, want one", errs)
					}
					ext, _ := errs[0]["extensions"].(map[string]any)
					if ext["code"] != "BAD_USER_INPUT" || ext["field"] != tc.gqlField || errs[0]["message"] != tc.gqlMessg {
						t.Errorf("GraphQL: %v, want BAD_USER_INPUT %q on %q", errs[0], tc.gqlMessg, tc.gqlField)
					}
				}
			})
		}

		// Repeated ids are one id in both adapters, not a scope violation.
		repeated := `["` + g + `", "` + g + `"]`
		for _, q := range []string{
			`{ questionsReport(input: {from: ` + jan + `, to: ` + feb + `, groupIds: ` + repeated + `}) { totalCount } }`,
			`{ bookingsReport(input: {from: ` + jan + `, to: ` + feb + `, groupIds: ` + repeated + `}) { totalCount } }`,
			`{ groupsUsage(input: {from: ` + jan + `, to: ` + feb + `, groupIds: ` + repeated + `}) { totalQuestions } }`,
			`{ questionStats(filter: {from: ` + jan + `, to: ` + feb + `, groupIds: ` + repeated + `}, groupBy: []) { count } }`,
		} {
			if errs := s.gql(t, s.token, q, nil, nil); len(errs) > 0 {
				t.Errorf("%s: %v", q, errs)
			}
		}
		if resp, raw := s.post(t, "/reports/groups-usage", s.token, "", `{`+period+`, "group_ids": `+repeated+`}`); resp.StatusCode != 200 {
			t.Errorf("REST groups usage with a repeated group: %d %s", resp.StatusCode, raw)
		}
		s.noErrorLogs(t)
	})
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// gql posts a GraphQL query to the report server and decodes data into out.
func (s *reportServer) gql(t *testing.T, token, query string, vars map[string]any, out any) []map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage  `json:"data"`
		Errors []map[string]any `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if out != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatal(err)
		}
	}
	return r.Errors
}

func restRows(t *testing.T, s *reportServer, path, body string) []map[string]any {
	t.Helper()
	resp, raw := s.post(t, path, s.token, "", body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, raw)
	}
	var rows []map[string]any
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

func isoMs(s string) string {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return v.UTC().Format("2006-01-02T15:04:05.000Z")
}

// TestGraphQLReportsMatchREST pages through the typed reports and compares
// every row with the REST report for the same input.
func TestGraphQLReportsMatchREST(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		from, to := "2026-05-25T00:00:00Z", "2026-06-15T15:00:00Z"

		rest := restRows(t, s, "/reports/questions", fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, ms(from), ms(to)))
		var got []map[string]string
		var total int
		after := any(nil)
		for pages := 0; ; pages++ {
			var data struct {
				QuestionsReport struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct {
						Node struct {
							Question               struct{ ID string }
							School, Group          struct{ Name string }
							Student                *struct{ Email string }
							StatusLabel, CreatedAt string
							Description, Link      string
							AnswerRating           *int
							Discipline             struct{ Name string }
						}
					}
				}
			}
			if errs := s.gql(t, s.token, `query($in: QuestionsReportInput!, $after: Cursor) {
			  questionsReport(input: $in, first: 37, after: $after) {
			    totalCount pageInfo { hasNextPage endCursor }
			    edges { node { question { id } school { name } group { name } student { email }
			      statusLabel createdAt description link answerRating discipline { name } } } } }`,
				map[string]any{"in": map[string]any{"from": from, "to": to}, "after": after}, &data); len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			c := data.QuestionsReport
			total = c.TotalCount
			for _, e := range c.Edges {
				n := e.Node
				email := ""
				if n.Student != nil {
					email = n.Student.Email
				}
				rating := ""
				if n.AnswerRating != nil {
					rating = fmt.Sprint(*n.AnswerRating)
				}
				got = append(got, map[string]string{
					"link": n.Link, "school": n.School.Name, "group": n.Group.Name, "student_email": email,
					"question_status": n.StatusLabel, "question_created_at": isoMs(n.CreatedAt),
					"question_description": n.Description, "answer_rating": rating, "question_discipline": n.Discipline.Name,
				})
			}
			if !c.PageInfo.HasNextPage {
				break
			}
			after = c.PageInfo.EndCursor
			if pages > 100 {
				t.Fatal("pagination does not end")
			}
		}
		if len(got) != len(rest) || total != len(rest) || len(rest) < 74 {
			t.Fatalf("GraphQL %d rows (totalCount %d), REST %d", len(got), total, len(rest))
		}
		for i, r := range rest {
			for k, v := range got[i] {
				if want := fmt.Sprint(r[k]); want != v {
					t.Fatalf("row %d %s: GraphQL %q, REST %q", i, k, v, want)
				}
			}
		}

		restB := restRows(t, s, "/reports/bookings", fmt.Sprintf(`{"start_date": %d, "end_date": %d}`,
			ms("2026-05-20T00:00:00Z"), ms("2026-07-15T00:00:00Z")))
		var gotB []map[string]string
		after = nil
		for {
			var data struct {
				BookingsReport struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct {
						Node struct {
							Booking         struct{ ID string }
							School          struct{ Name string }
							StatusLabel     string
							DurationMinutes *int
							ModalLabel      *string
						}
					}
				}
			}
			if errs := s.gql(t, s.token, `query($in: BookingsReportInput!, $after: Cursor) {
			  bookingsReport(input: $in, first: 50, after: $after) {
			    pageInfo { hasNextPage endCursor }
			    edges { node { booking { id } school { name } statusLabel durationMinutes modalLabel } } } }`,
				map[string]any{"in": map[string]any{"from": "2026-05-20T00:00:00Z", "to": "2026-07-15T00:00:00Z"}, "after": after}, &data); len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			for _, e := range data.BookingsReport.Edges {
				n := e.Node
				dur, modal := "", ""
				if n.DurationMinutes != nil {
					dur = fmt.Sprint(*n.DurationMinutes)
				}
				if n.ModalLabel != nil {
					modal = *n.ModalLabel
				}
				gotB = append(gotB, map[string]string{"school_name": n.School.Name, "status": n.StatusLabel,
					"duration": dur, "booking_room_modal": modal})
			}
			if !data.BookingsReport.PageInfo.HasNextPage {
				break
			}
			after = data.BookingsReport.PageInfo.EndCursor
		}
		if len(gotB) != len(restB) || len(restB) == 0 {
			t.Fatalf("GraphQL %d bookings, REST %d", len(gotB), len(restB))
		}
		for i, r := range restB {
			for k, v := range gotB[i] {
				if want := fmt.Sprint(r[k]); want != v {
					t.Fatalf("booking %d %s: GraphQL %q, REST %q", i, k, v, want)
				}
			}
		}

		restW := restRows(t, s, "/reports/bookings-workload", `{}`)
		var w struct {
			BookingsWorkload []struct {
				Teacher       struct{ Email string }
				Discipline    struct{ Name string }
				WeeklyMinutes int
			}
		}
		if errs := s.gql(t, s.token, `{ bookingsWorkload { teacher { email } discipline { name } weeklyMinutes } }`, nil, &w); len(errs) > 0 {
			t.Fatal(errs)
		}
		if len(w.BookingsWorkload) != len(restW) {
			t.Fatalf("workload: GraphQL %d rows, REST %d", len(w.BookingsWorkload), len(restW))
		}
		for i, r := range restW {
			g := w.BookingsWorkload[i]
			if g.Teacher.Email != r["teacher_email"] || g.Discipline.Name != r["discipline_name"] || float64(g.WeeklyMinutes) != r["weekly_minutes"] {
				t.Fatalf("workload %d: GraphQL %+v, REST %v", i, g, r)
			}
		}

		// Groups usage: the golden request, both ways.
		var usageBody string
		for _, c := range goldenCases(t, d) {
			if c.name == "groups-usage" {
				usageBody = c.body
			}
		}
		var in map[string]any
		json.Unmarshal([]byte(usageBody), &in)
		_, raw := s.post(t, "/reports/groups-usage", s.token, "", usageBody)
		var restU map[string]any
		json.Unmarshal(raw, &restU)
		var u struct {
			GroupsUsage struct {
				TotalQuestions                 int
				AverageAdjustedResponseMinutes *float64
				ActiveUsersShare               float64
				Students                       []struct {
					Student        struct{ Email string }
					QuestionsCount int
				}
				Teachers []struct {
					Teacher           struct{ Email string }
					AnsweredQuestions int
				}
				Disciplines []struct {
					Discipline     struct{ Name string }
					TotalQuestions int
				}
			}
		}
		msTime := func(v any) string { return time.UnixMilli(int64(v.(float64))).UTC().Format(time.RFC3339Nano) }
		if errs := s.gql(t, s.token, `query($in: GroupsUsageInput!) { groupsUsage(input: $in) {
		    totalQuestions averageAdjustedResponseMinutes activeUsersShare
		    students { student { email } questionsCount }
		    teachers { teacher { email } answeredQuestions }
		    disciplines { discipline { name } totalQuestions } } }`,
			map[string]any{"in": map[string]any{"from": msTime(in["start_date"]), "to": msTime(in["end_date"]),
				"groupIds": in["group_ids"], "showTeachers": true, "showDisciplines": true}}, &u); len(errs) > 0 {
			t.Fatal(errs)
		}
		g := u.GroupsUsage
		if float64(g.TotalQuestions) != restU["total_questions"] || g.ActiveUsersShare != restU["active_users_percentage"] ||
			*g.AverageAdjustedResponseMinutes != restU["average_adjusted_response_time_in_minutes"] {
			t.Errorf("groups usage summary differs: %+v vs %v", g, restU)
		}
		students := restU["students"].([]any)
		if len(students) != len(g.Students) {
			t.Fatalf("students: GraphQL %d, REST %d", len(g.Students), len(students))
		}
		for i, st := range students {
			m := st.(map[string]any)
			if m["email"] != g.Students[i].Student.Email || m["questions_count"] != float64(g.Students[i].QuestionsCount) {
				t.Errorf("student %d: %v vs %+v", i, m, g.Students[i])
			}
		}
		if len(g.Teachers) != len(restU["teachers"].([]any)) || len(g.Disciplines) != len(restU["disciplines"].([]any)) {
			t.Errorf("teachers or disciplines differ in number")
		}
	})
}

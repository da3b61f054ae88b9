package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/user"
	"github.com/stift/stift-reports/internal/testdb"
)

// usageExample is the situation behind the public API's groups-usage
// example: one group, one student who asked 41 Matemática questions in the
// period (Álgebra 38, Aritmética 2, Análise combinatória 1), three of them
// answered by "Professor Teste", and "Prof Luccas Santos", created in June
// 2024, who answered none. Three more users of the group were no members
// during the period (created after it, or deleted before it): like any
// such user, they must not show up, nor lower the share of active users.
var usageExample = struct {
	zone     string
	from, to string // the period, local
	answers  []exampleAnswer
	// subjects in the order of the example's top_subjects, with how many
	// questions each: the answered ones are the first Álgebra questions.
	subjects []gid.SubjectID
	counts   []int
	names    []string
}{
	zone: "America/Sao_Paulo",
	from: "2024-01-01T00:00:00", to: "2024-12-04T23:59:59",
	// The school keeps the default service hours, Monday to Saturday 07:00
	// to 22:00. A question asked on a Monday at 07:00 and answered the
	// same Monday some weeks later has waited those weeks of service (6 ×
	// 15 h each), plus the time into that Monday's service: the test counts
	// the adjusted minutes so, not with the code under test. The extras
	// make the example's average, 43615.19 (8 weeks are 43200).
	answers: []exampleAnswer{
		{"2024-01-08T07:00:00", 8, 400 * time.Minute},
		{"2024-02-05T07:00:00", 8, 415*time.Minute + 11400*time.Millisecond}, // 415.19 minutes
		{"2024-03-04T07:00:00", 8, 430*time.Minute + 22800*time.Millisecond}, // 430.38 minutes
	},
	subjects: []gid.SubjectID{1, 2, 3},
	counts:   []int{38, 2, 1},
	names:    []string{"Álgebra", "Aritmética", "Análise combinatória"},
}

// exampleAnswer is an answered question of usageExample: asked at created
// (local, a Monday at 07:00), answered weeks weeks later plus extra.
type exampleAnswer struct {
	created string
	weeks   int
	extra   time.Duration
}

// adjustedMinutes is the answer's response time inside the service hours.
func (a exampleAnswer) adjustedMinutes() float64 {
	return float64(a.weeks*6*15*60) + a.extra.Minutes()
}

// buildUsageExample writes usageExample into the empty d and returns its
// group and the body of its report request.
func buildUsageExample(t *testing.T, d *db.DB) (*ent.Group, string) {
	t.Helper()
	ex := usageExample
	ctx := auth.SystemContext(context.Background())
	c := d.Client
	loc, err := time.LoadLocation(ex.zone)
	if err != nil {
		t.Fatal(err)
	}
	local := func(s string) time.Time {
		at, err := time.ParseInLocation("2006-01-02T15:04:05", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	matematica := c.Discipline.Create().SetID(1).SetName("Matemática").SaveX(ctx)
	for i, id := range ex.subjects {
		c.Subject.Create().SetID(id).SetName(ex.names[i]).SetDiscipline(matematica).SaveX(ctx)
	}
	sch := c.School.Create().SetName("Escola de Testes").SetTimezone(ex.zone).SaveX(ctx)
	person := func(first, last, email string, role user.Role, created string) *ent.UserCreate {
		return c.User.Create().SetFirstName(first).SetLastName(last).SetEmail(email).
			SetRole(role).SetCreatedAt(local(created))
	}
	student := person("Aluno", "Teste", "student@stift.com.br", user.RoleSTUDENT, "2023-04-26T10:00:00").SaveX(ctx)
	teacher := person("Professor", "Teste", "teacher@stift.com.br", user.RoleTEACHER, "2023-04-26T10:00:00").
		AddDisciplines(matematica).SaveX(ctx)
	luccas := person("Prof Luccas", "Santos", "luccas@stift.com.br", user.RoleTEACHER, "2024-06-03T10:00:00").SaveX(ctx)
	// Members of the group, but not during the period.
	later := person("Aluna", "Nova", "nova@stift.com.br", user.RoleSTUDENT, "2025-01-10T10:00:00").SaveX(ctx)
	gone := person("Aluno", "Antigo", "antigo@stift.com.br", user.RoleSTUDENT, "2022-02-01T10:00:00").
		SetDeletedAt(local("2023-12-20T10:00:00")).SaveX(ctx)
	laterTeacher := person("Prof", "Novo", "novo@stift.com.br", user.RoleTEACHER, "2025-02-01T10:00:00").SaveX(ctx)
	g := c.Group.Create().SetName("Turma de Testes").SetSchool(sch).
		AddStudents(student, later, gone).AddTeachers(teacher, luccas, laterTeacher).SaveX(ctx)

	n := 0 // questions written so far; the first ones are answered
	for i, subject := range ex.subjects {
		for range ex.counts[i] {
			q := c.Question.Create().SetStudent(student).SetGroup(g).SetDiscipline(matematica).SetSubjectID(subject)
			if n < len(ex.answers) {
				a := ex.answers[n]
				created := local(a.created)
				q.SetCreatedAt(created).SetTeacher(teacher).
					SetAnsweredAt(created.AddDate(0, 0, 7*a.weeks).Add(a.extra))
			} else {
				q.SetCreatedAt(local("2024-05-06T10:00:00").AddDate(0, 0, n))
			}
			q.SaveX(ctx)
			n++
		}
	}
	body := fmt.Sprintf(`{"start_date": %d, "end_date": %d, "group_ids": ["%s"], "show_teachers": true, "show_disciplines": true}`,
		local(ex.from).UnixMilli(), local(ex.to).UnixMilli(), g.ID)
	return g, body
}

// TestGroupsUsageExample rebuilds the public API's groups-usage example and
// checks that the report gives the example's answer, in JSON, CSV and XLSX.
func TestGroupsUsageExample(t *testing.T) {
	t.Parallel()
	ex := usageExample
	total := 0
	for _, n := range ex.counts {
		total += n
	}
	var sum float64
	for _, a := range ex.answers {
		sum += a.adjustedMinutes()
	}
	round2 := func(v float64) float64 { return math.Round(v*100) / 100 }
	teacherAverage := round2(sum / float64(len(ex.answers)))
	// A discipline's average divides the answered questions' adjusted
	// minutes by all its questions.
	disciplineAverage := round2(sum / float64(total))
	// The fixture is the example: its figures come out.
	if teacherAverage != 43615.19 || disciplineAverage != 3191.36 || disciplineAverage != round2(teacherAverage*3/41) {
		t.Fatalf("the fixture makes averages %v and %v, not the example's", teacherAverage, disciplineAverage)
	}

	questions := []any{}
	topSubjects := map[string]any{}
	for i, name := range ex.names {
		topSubjects[name] = float64(ex.counts[i])
		for range ex.counts[i] {
			questions = append(questions, map[string]any{
				"discipline": map[string]any{"id": 1.0, "name": "Matemática"},
				"subject":    map[string]any{"id": float64(ex.subjects[i]), "name": name},
			})
		}
	}
	want := map[string]any{
		"start_date":      "01/01/2024",
		"end_date":        "04/12/2024",
		"total_questions": float64(total),
		"average_adjusted_response_time_in_minutes": teacherAverage,
		"questions_count_by_discipline":             map[string]any{"Matemática": float64(total)},
		"active_users_percentage":                   1.0,
		"average_answer_rating":                     nil,
		"average_nps":                               nil,
		"average_response_time_nps":                 nil,
		"nps_answers":                               []any{},
		"answer_ratings":                            []any{},
		"students": []any{map[string]any{
			"name": "Aluno Teste", "groups": []any{"Turma de Testes"}, "email": "student@stift.com.br",
			"active": true, "created_at": "2023-04-26", "blocked_at": nil, "deleted_at": nil,
			"questions_count": float64(total), "questions": questions,
		}},
		"teachers": []any{
			map[string]any{
				"first_name": "Professor", "last_name": "Teste", "email": "teacher@stift.com.br",
				"groups": []any{"Turma de Testes"}, "disciplines": []any{"Matemática"},
				"active": true, "answered_questions_count": float64(len(ex.answers)),
				"average_response_time_in_minutes": teacherAverage,
				"created_at":                       "2023-04-26", "blocked_at": nil, "deleted_at": nil,
			},
			map[string]any{
				"first_name": "Prof Luccas", "last_name": "Santos", "email": "luccas@stift.com.br",
				"groups": []any{"Turma de Testes"}, "disciplines": []any{},
				"active": false, "answered_questions_count": 0.0,
				"average_response_time_in_minutes": nil,
				"created_at":                       "2024-06-03", "blocked_at": nil, "deleted_at": nil,
			},
		},
		"disciplines": []any{map[string]any{
			"name": "Matemática", "top_subjects": topSubjects, "total_questions": float64(total),
			"average_response_time_in_minutes": disciplineAverage,
		}},
	}

	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		_, body := buildUsageExample(t, d)
		s := startReportServer(t, d, Config{})

		resp, raw := s.post(t, "/reports/groups-usage", s.token, "", body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, raw)
		}
		var got map[string]any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		for _, key := range slices.Sorted(maps.Keys(want)) {
			if !reflect.DeepEqual(got[key], want[key]) {
				g, _ := json.Marshal(got[key])
				w, _ := json.Marshal(want[key])
				t.Errorf("%s:\ngot  %.600s\nwant %.600s", key, g, w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d keys, want %d: %.300s", len(got), len(want), raw)
		}
		// Objects whose key order matters (decoded above into maps).
		var doc struct{ Disciplines []json.RawMessage }
		json.Unmarshal(raw, &doc)
		var disc struct {
			TopSubjects json.RawMessage `json:"top_subjects"`
		}
		json.Unmarshal(doc.Disciplines[0], &disc)
		if keys := objectKeys(t, disc.TopSubjects); !slices.Equal(keys, ex.names) {
			t.Errorf("top_subjects in order %v, want %v", keys, ex.names)
		}

		// CSV: the same figures, two decimals, teachers in the same order.
		resp, csvBody := s.post(t, "/reports/groups-usage", s.token, "text/csv", body)
		if resp.StatusCode != 200 {
			t.Fatalf("CSV: status %d: %s", resp.StatusCode, csvBody)
		}
		sections := csvSections(t, csvBody)
		if len(sections) != 5 {
			t.Fatalf("CSV has %d sections, want 5", len(sections))
		}
		num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
		wantCSV := [][][]string{
			{{"Indicador", "Valor"}, {"Início do período", "01/01/2024"}, {"Fim do período", "04/12/2024"},
				{"Total de perguntas", "41"}, {"Tempo médio de resposta ajustado (min)", num(teacherAverage)},
				{"Usuários ativos (%)", "100"}, {"Avaliação média das respostas", ""}, {"NPS médio", ""},
				{"NPS médio do tempo de resposta", ""}},
			{{"Disciplina", "Perguntas"}, {"Matemática", "41"}},
			{{"Nome", "Turmas", "E-mail", "Ativo", "Criado em", "Bloqueado em", "Excluído em", "Perguntas"},
				{"Aluno Teste", "Turma de Testes", "student@stift.com.br", "true", "2023-04-26", "", "", "41"}},
			{{"Nome", "Sobrenome", "E-mail", "Turmas", "Disciplinas", "Ativo", "Perguntas respondidas",
				"Tempo médio de resposta (min)", "Criado em", "Bloqueado em", "Excluído em"},
				{"Professor", "Teste", "teacher@stift.com.br", "Turma de Testes", "Matemática", "true", "3",
					num(teacherAverage), "2023-04-26", "", ""},
				{"Prof Luccas", "Santos", "luccas@stift.com.br", "Turma de Testes", "", "false", "0", "", "2024-06-03", "", ""}},
			{{"Disciplina", "Total de perguntas", "Tempo médio de resposta (min)", "Principais assuntos"},
				{"Matemática", "41", num(disciplineAverage), "Álgebra (38), Aritmética (2), Análise combinatória (1)"}},
		}
		if !reflect.DeepEqual(sections, wantCSV) {
			t.Errorf("CSV:\ngot  %q\nwant %q", sections, wantCSV)
		}

		// XLSX: the cells of the CSV's Excel dialect, sheet by sheet.
		resp, xlsx := s.post(t, "/reports/groups-usage", s.token, xlsxType, body)
		if resp.StatusCode != 200 {
			t.Fatalf("XLSX: status %d", resp.StatusCode)
		}
		_, excelCSV := s.post(t, "/reports/groups-usage", s.token, excelCSVType, body)
		compareXLSXWithCSV(t, xlsx, excelCSV, "")
	})
}

// TestGroupsUsageActiveFollowsTheList: a student is active when the report
// lists a question of theirs, so an anonymous question that the token may
// not reveal makes no one active, while the share of active students,
// which names no one, still counts it.
func TestGroupsUsageActiveFollowsTheList(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		g, body := buildUsageExample(t, d)
		ctx := auth.SystemContext(context.Background())
		c := d.Client
		shy := c.User.Create().SetFirstName("Aluna").SetLastName("Reservada").SetEmail("reservada@stift.com.br").
			SetRole(user.RoleSTUDENT).SetCreatedAt(time.Date(2023, 5, 1, 12, 0, 0, 0, time.UTC)).SaveX(ctx)
		c.Group.UpdateOne(g).AddStudents(shy).ExecX(ctx)
		c.Question.Create().SetStudent(shy).SetGroup(g).SetDisciplineID(1).SetAnonymous(true).
			SetCreatedAt(time.Date(2024, 7, 1, 15, 0, 0, 0, time.UTC)).ExecX(ctx)
		s := startReportServer(t, d, Config{})
		ordinary := s.newToken(t, auth.TokenSpec{Name: "ordinary"})
		for _, tc := range []struct {
			name   string
			token  string
			active bool
			count  float64
		}{{"ordinary", ordinary, false, 0}, {"reveal", s.token, true, 1}} {
			resp, raw := s.post(t, "/reports/groups-usage", tc.token, "", body)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: status %d: %s", tc.name, resp.StatusCode, raw)
			}
			type student struct {
				Email  string
				Active bool
				Count  float64 `json:"questions_count"`
			}
			var doc struct {
				Share    float64 `json:"active_users_percentage"`
				Students []student
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Share != 1 {
				t.Errorf("%s: active_users_percentage %v, want 1", tc.name, doc.Share)
			}
			i := slices.IndexFunc(doc.Students, func(s student) bool { return s.Email == "reservada@stift.com.br" })
			if i < 0 {
				t.Fatalf("%s: the student is not listed: %s", tc.name, raw)
			}
			if st := doc.Students[i]; st.Active != tc.active || st.Count != tc.count {
				t.Errorf("%s: active %v with %v questions, want %v with %v", tc.name, st.Active, st.Count, tc.active, tc.count)
			}
		}
	})
}

// csvSections reads a CSV made of blank-line separated tables.
func csvSections(t *testing.T, body []byte) [][][]string {
	t.Helper()
	var out [][][]string
	for _, block := range bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n\n")) {
		r := csv.NewReader(bytes.NewReader(block))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, recs)
	}
	return out
}

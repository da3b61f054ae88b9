package schema_test

import (
	"context"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/hours"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestQuestionResponseTimes checks that answering a question fills in its
// response times, the adjusted one in the school's zone and service hours.
func TestQuestionResponseTimes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := auth.SystemContext(context.Background())
		c := d.Client
		sch := c.School.Create().SetName("Escola").SetTimezone("America/Sao_Paulo").
			SetServiceHours(hours.Default()).SaveX(ctx)
		grp := c.Group.Create().SetName("Turma").SetSchool(sch).SaveX(ctx)
		st := c.User.Create().SetFirstName("Ana").SetEmail("ana@example.com").SetRole("STUDENT").SaveX(ctx)
		disc := c.Discipline.Create().SetID(1).SetName("Matemática").SaveX(ctx)
		sp, _ := time.LoadLocation("America/Sao_Paulo")
		asked := time.Date(2026, 6, 12, 21, 50, 0, 0, sp) // a Friday
		answered := time.Date(2026, 6, 15, 7, 10, 0, 0, sp)

		q := c.Question.Create().SetStudent(st).SetGroup(grp).SetDiscipline(disc).
			SetCreatedAt(asked).SaveX(ctx)
		if q.ResponseMinutes != nil || q.AdjustedResponseMinutes != nil {
			t.Fatalf("unanswered question has response times %v, %v", q.ResponseMinutes, q.AdjustedResponseMinutes)
		}
		q = q.Update().SetAnsweredAt(answered).SaveX(ctx)
		if q.ResponseMinutes == nil || *q.ResponseMinutes != answered.Sub(asked).Minutes() {
			t.Errorf("response minutes = %v, want %v", q.ResponseMinutes, answered.Sub(asked).Minutes())
		}
		if q.AdjustedResponseMinutes == nil || *q.AdjustedResponseMinutes != 920 {
			t.Errorf("adjusted response minutes = %v, want 920", q.AdjustedResponseMinutes)
		}
		created := c.Question.Create().SetStudent(st).SetGroup(grp).SetDiscipline(disc).
			SetCreatedAt(asked).SetAnsweredAt(answered).SaveX(ctx)
		if created.AdjustedResponseMinutes == nil || *created.AdjustedResponseMinutes != 920 {
			t.Errorf("created answered: adjusted = %v, want 920", created.AdjustedResponseMinutes)
		}
	})
}

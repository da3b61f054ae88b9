package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/bookingroom"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/user"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestReportsSortPortuguese: the reports list people, and a student's
// groups, in the order a Brazilian reader expects
// (testdb.PortugueseOrder: "Ícaro" before "Valentina", "ana" before "Ana",
// equal names by id), through the REST handler, the same on both
// databases.
func TestReportsSortPortuguese(t *testing.T) {
	t.Parallel()
	names := testdb.PortugueseOrder()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		ctx := auth.SystemContext(context.Background())
		c := d.Client
		c.Discipline.Create().SetID(1).SetName("Matemática").ExecX(ctx)
		school := c.School.Create().SetName("Escola").SaveX(ctx)
		room := c.BookingRoom.Create().SetName("Sala").SetSchool(school).SetModal(bookingroom.ModalONLINE).SaveX(ctx)
		// The student of the first name is in these groups too; their
		// list comes sorted ("Turma Zeta" before "Turma Ímpar" in bytes).
		var groups []gid.GroupID
		for _, name := range []string{"Turma Zeta", "Turma Única", "Turma acesso", "Turma Ímpar", "Turma Ação"} {
			groups = append(groups, c.Group.Create().SetName(name).SetSchool(school).SaveX(ctx).ID)
		}
		wantGroups := []string{"Turma Ação", "Turma acesso", "Turma Ímpar", "Turma Única", "Turma Zeta"}
		// People are created in reverse; ids ascend in the expected order,
		// so that equal names tie as they should.
		joined := time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)
		for i := len(names) - 1; i >= 0; i-- {
			teacher := c.User.Create().SetID(orderedID(1, i)).SetFirstName(names[i]).SetLastName("Silva").
				SetEmail(fmt.Sprintf("t%02d@stift.com.br", i)).SetRole(user.RoleTEACHER).SetCreatedAt(joined).
				AddDisciplineIDs(1).SaveX(ctx)
			c.AvailabilitySlot.Create().SetTeacher(teacher).SetBookingRoom(room).SetDisciplineID(1).
				SetWeekday(1).SetStartMinute(600).SetEndMinute(660).ExecX(ctx)
			student := c.User.Create().SetID(orderedID(2, i)).SetFirstName(names[i]).SetLastName("Silva").
				SetEmail(fmt.Sprintf("s%02d@stift.com.br", i)).SetRole(user.RoleSTUDENT).SetCreatedAt(joined).SaveX(ctx)
			memberOf := groups[:1]
			if i == 0 {
				memberOf = groups
			}
			for _, g := range memberOf {
				c.Group.UpdateOneID(g).AddStudentIDs(student.ID).ExecX(ctx)
			}
		}
		s := startReportServer(t, d, Config{})
		emails := func(prefix string) []string {
			out := make([]string, len(names))
			for i := range names {
				out[i] = fmt.Sprintf("%s%02d@stift.com.br", prefix, i)
			}
			return out
		}

		resp, body := s.post(t, "/reports/bookings-workload", s.token, "", `{}`)
		if resp.StatusCode != 200 {
			t.Fatalf("workload: %d %s", resp.StatusCode, body)
		}
		var workload []struct {
			TeacherEmail string `json:"teacher_email"`
		}
		if err := json.Unmarshal(body, &workload); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range workload {
			got = append(got, r.TeacherEmail)
		}
		if want := emails("t"); !slices.Equal(got, want) {
			t.Errorf("workload teachers:\n got %q\nwant %q (names %q)", got, want, names)
		}

		groupIDs, _ := json.Marshal(groups)
		resp, body = s.post(t, "/reports/groups-usage", s.token, "", fmt.Sprintf(
			`{"start_date": %d, "end_date": %d, "group_ids": %s}`, ms("2026-01-01T00:00:00Z"), ms("2026-06-15T00:00:00Z"), groupIDs))
		if resp.StatusCode != 200 {
			t.Fatalf("groups usage: %d %s", resp.StatusCode, body)
		}
		var usage struct {
			Students []struct {
				Email  string   `json:"email"`
				Groups []string `json:"groups"`
			} `json:"students"`
		}
		if err := json.Unmarshal(body, &usage); err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for _, st := range usage.Students {
			got = append(got, st.Email)
		}
		if want := emails("s"); !slices.Equal(got, want) {
			t.Fatalf("groups usage students:\n got %q\nwant %q (names %q)", got, want, names)
		}
		if g := usage.Students[0].Groups; !slices.Equal(g, wantGroups) {
			t.Errorf("groups of %s: %q, want %q", usage.Students[0].Email, g, wantGroups)
		}
	})
}

// orderedID returns a user id whose order (as bytes and as text) follows
// kind, then i.
func orderedID(kind, i int) gid.UserID {
	return gid.UserID(uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%04x%08x", kind, i)))
}

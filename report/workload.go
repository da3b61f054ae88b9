package report

import (
	"context"
	"iter"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// WorkloadRow is a teacher's weekly availability for one discipline.
type WorkloadRow struct {
	TeacherID        gid.UserID
	TeacherFirstName string
	TeacherLastName  string
	TeacherEmail     string
	DisciplineID     gid.DisciplineID
	DisciplineName   string
	WeeklyMinutes    int
}

// Workload returns, per teacher and discipline, the minutes of the
// teacher's weekly availability slots in the rooms of the selected schools
// that p may see (for a group-scoped token, the teachers of its groups),
// by teacher name. Blocked and deleted teachers are left out, whatever
// slots they kept: the report is the workload teachers offer now, and
// they offer none.
func Workload(ctx context.Context, d *db.DB, p *auth.Principal, schools []gid.SchoolID) (iter.Seq2[WorkloadRow, error], error) {
	// Its only input, the schools, has no rule but that repeats are ignored.
	scope, err := resolveSchools(ctx, d, p, distinct(schools))
	if err != nil {
		return nil, err
	}
	q := newQuery(d.Dialect).add(`SELECT u.id, u.first_name, u.last_name, u.email, d.id, d.name,
		SUM(a.end_minute - a.start_minute)
	FROM availability_slots a
	JOIN booking_rooms r ON r.id = a.booking_room_id
	JOIN users u ON u.id = a.teacher_id
	JOIN disciplines d ON d.id = a.discipline_id
	WHERE u.blocked_at IS NULL AND u.deleted_at IS NULL`)
	if !scope.all {
		q.add(" AND ")
		inList(q, "r.school_id", scope.schools)
	}
	if scope.groups != nil {
		q.add(" AND a.teacher_id IN (SELECT gt.user_id FROM group_teachers gt WHERE ")
		inList(q, "gt.group_id", scope.groups)
		q.add(")")
	}
	q.add(` GROUP BY u.id, u.first_name, u.last_name, u.email, d.id, d.name
	ORDER BY ` + byText(d.Dialect, "u.first_name", "u.last_name") + `, u.id, ` + byText(d.Dialect, "d.name"))
	return rows(ctx, d, q, func(rs rowScanner) (WorkloadRow, error) {
		var r WorkloadRow
		err := rs.Scan(&r.TeacherID, &r.TeacherFirstName, &r.TeacherLastName, &r.TeacherEmail,
			&r.DisciplineID, &r.DisciplineName, &r.WeeklyMinutes)
		return r, err
	}), nil
}

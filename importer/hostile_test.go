package importer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/report"
)

// More of the example's ids.
const (
	group2    = "2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a02"
	student6  = "3c8d5e74-af60-4d9c-9e3a-4c7d9f1a2b06"
	student8  = "3c8d5e74-af60-4d9c-9e3a-4c7d9f1a2b08"
	room1     = "4d9e6f85-b071-4ead-8f4b-5d8e0a2b3c01"
	room2     = "4d9e6f85-b071-4ead-8f4b-5d8e0a2b3c02"
	room3     = "4d9e6f85-b071-4ead-8f4b-5d8e0a2b3c03"
	booking1  = "6fb081a7-d293-4acf-8b6d-7fa02c4d5e01"
	slot1     = "70c192b8-e3a4-4bd0-9c7e-80b13d5e6f01"
	nps1      = "81d2a3c9-f4b5-4ce1-8d8f-91c24e6f7a01"
	newGroup  = "2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a09"
	newRoom   = "4d9e6f85-b071-4ead-8f4b-5d8e0a2b3c09"
	newSchool = "1f6a3c52-8d4e-4b7a-9c1e-2a5b7d9e0f09"
)

// exampleLine returns line n (from 1) of one of the example's files, with
// each old → new replacement of edits applied once.
func exampleLine(t *testing.T, file string, n int, edits ...string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(exampleDir, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 1; sc.Scan(); i++ {
		if i < n {
			continue
		}
		line := sc.Text()
		for j := 0; j+1 < len(edits); j += 2 {
			if !strings.Contains(line, edits[j]) {
				t.Fatalf("%s:%d has no %q", file, n, edits[j])
			}
			line = strings.Replace(line, edits[j], edits[j+1], 1)
		}
		return line
	}
	t.Fatalf("%s has no line %d", file, n)
	return ""
}

// school returns a school line with extra fields.
func school(extra string) string {
	return `{"id":"` + newSchool + `","name":"Escola Nova"` + extra + `}`
}

// windows returns n service-hour windows, one an hour from Monday 00:00.
func windows(n int) string {
	list := make([]string, n)
	for i := range list {
		list[i] = fmt.Sprintf(`{"weekday":%d,"start_minute":%d,"end_minute":%d}`, 1+i/24, i%24*60, i%24*60+60)
	}
	return `,"service_hours":[` + strings.Join(list, ",") + `]`
}

// TestImportRejectsHostile feeds an import values that a careless import
// would have stored and that would then break or skew the reports: numbers
// out of the ranges the reports can use, rows moved to another school, and
// strings that are not text. Each is rejected naming file, line and field,
// and nothing is written.
func TestImportRejectsHostile(t *testing.T) {
	okSlot := exampleLine(t, FileAvailabilitySlots, 1, slot1, unknownID)
	hugeID := strings.Repeat("9", 1<<20)
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		// Numbers.
		{"min_cancel_hours beyond an interval", map[string]string{FileSchools: school(`,"min_cancel_hours":9223372036854775807`)},
			[]string{`schools.ndjson:1: min_cancel_hours: 9223372036854775807 out of range [0, 8760]`}},
		{"min_cancel_hours beyond a year", map[string]string{FileSchools: school(`,"min_cancel_hours":8761`)},
			[]string{`schools.ndjson:1: min_cancel_hours: 8761 out of range [0, 8760]`}},
		{"negative min_cancel_hours", map[string]string{FileSchools: school(`,"min_cancel_hours":-1`)},
			[]string{`schools.ndjson:1: min_cancel_hours: -1 out of range [0, 8760]`}},
		{"min_cancel_hours beyond 64 bits", map[string]string{FileSchools: school(`,"min_cancel_hours":9223372036854775808`)},
			[]string{`schools.ndjson:1: min_cancel_hours: 9223372036854775808 out of range [0, 8760]`}},
		{"a number of a million digits", map[string]string{FileSchools: school(`,"min_cancel_hours":` + hugeID)},
			[]string{`schools.ndjson:1: min_cancel_hours: ` + hugeID[:maxShown] + `… out of range [0, 8760]`}},
		{"numbers of the wrong kind, each reported with the line's other problems", map[string]string{FileSchools: school(`,"min_cancel_hours":1.5,"timezone":"Mars/Olympus"`) + "\n" +
			strings.Replace(school(`,"min_cancel_hours":"24"`), "1f6a3c52-8d4e-4b7a-9c1e-2a5b7d9e0f09", "1f6a3c52-8d4e-4b7a-9c1e-2a5b7d9e0f08", 1)},
			[]string{`schools.ndjson:1: timezone: unknown IANA time zone "Mars/Olympus"`,
				`schools.ndjson:1: min_cancel_hours: expected integer, got number 1.5`,
				`schools.ndjson:2: min_cancel_hours: expected integer, got string`}},
		{"service hours out of the day", map[string]string{FileSchools: school(`,"service_hours":[{"weekday":7,"start_minute":-1,"end_minute":1441}]`)},
			[]string{`schools.ndjson:1: service_hours[0].weekday: 7 out of range [0, 6]`,
				`schools.ndjson:1: service_hours[0].start_minute: -1 out of range [0, 1440]`,
				`schools.ndjson:1: service_hours[0].end_minute: 1441 out of range [0, 1440]`}},
		{"service hours of 64-bit minutes", map[string]string{FileSchools: school(`,"service_hours":[{"weekday":1,"start_minute":0,"end_minute":9223372036854775807}]`)},
			[]string{`schools.ndjson:1: service_hours[0].end_minute: 9223372036854775807 out of range [0, 1440]`}},
		{"too many service-hour windows", map[string]string{FileSchools: school(windows(maxServiceWindows + 1))},
			[]string{`schools.ndjson:1: service_hours: 71 windows, at most 70`}},
		{"overlapping service hours", map[string]string{FileSchools: school(`,"service_hours":[{"weekday":1,"start_minute":480,"end_minute":720},{"weekday":2,"start_minute":480,"end_minute":720},{"weekday":1,"start_minute":600,"end_minute":900}]`)},
			[]string{`schools.ndjson:1: service_hours[2]: overlaps service_hours[0] (same weekday)`}},
		{"discipline id beyond 32 bits", map[string]string{FileDisciplines: `{"id":2147483648,"name":"Artes"}`},
			[]string{`disciplines.ndjson:1: id: id 2147483648 out of range [1, 2147483647]`}},
		{"subject ids beyond 32 bits", map[string]string{FileSubjects: `{"id":9223372036854775807,"name":"Álgebra","discipline_id":4294967297}`},
			[]string{`subjects.ndjson:1: id: id 9223372036854775807 out of range [1, 2147483647]`,
				`subjects.ndjson:1: discipline_id: id 4294967297 out of range [1, 2147483647]`}},
		{"teacher discipline beyond 32 bits", map[string]string{FileUsers: exampleLine(t, FileUsers, 4, `"discipline_ids":[`, `"discipline_ids":[2147483648,`)},
			[]string{`users.ndjson:1: discipline_ids[0]: id 2147483648 out of range [1, 2147483647]`}},
		{"room discipline beyond 32 bits", map[string]string{FileBookingRooms: exampleLine(t, FileBookingRooms, 1, `[1,2,3]`, `[1,2,-3,2147483648]`)},
			[]string{`booking_rooms.ndjson:1: discipline_ids[2]: malformed id -3 (want a positive integer)`,
				`booking_rooms.ndjson:1: discipline_ids[3]: id 2147483648 out of range [1, 2147483647]`}},
		{"question ids beyond 32 bits", map[string]string{FileQuestions: strings.Replace(question(`,"subject_id":2147483648`), `"discipline_id":1`, `"discipline_id":2147483648`, 1)},
			[]string{`questions.ndjson:1: discipline_id: id 2147483648 out of range [1, 2147483647]`,
				`questions.ndjson:1: subject_id: id 2147483648 out of range [1, 2147483647]`}},
		{"answer rating below 1", map[string]string{FileQuestions: question(`,"answered_at":"2026-06-14T11:00:00Z","answer_rating":0`)},
			[]string{`questions.ndjson:1: answer_rating: 0 out of range [1, 5]`}},
		{"booking ratings beyond floats", map[string]string{FileBookings: booking(`,"rating_by_student":1e400,"rating_by_teacher":-0.1`)},
			[]string{`bookings.ndjson:1: rating_by_student: 1e400 out of range [0, 5]`,
				`bookings.ndjson:1: rating_by_teacher: -0.1 out of range [0, 5]`}},
		{"negative booking rating", map[string]string{FileBookings: booking(`,"rating_by_teacher":-0.1`)},
			[]string{`bookings.ndjson:1: rating_by_teacher: -0.1 out of range [0, 5]`}},
		{"booking discipline beyond 32 bits", map[string]string{FileBookings: strings.Replace(booking(""), `"discipline_id":1`, `"discipline_id":2147483648`, 1)},
			[]string{`bookings.ndjson:1: discipline_id: id 2147483648 out of range [1, 2147483647]`}},
		{"slot out of the week and day", map[string]string{FileAvailabilitySlots: strings.NewReplacer(`"weekday":1`, `"weekday":-1`,
			`"start_minute":840`, `"start_minute":-60`, `"end_minute":1080`, `"end_minute":2000`, `"discipline_id":1`, `"discipline_id":2147483648`).Replace(okSlot)},
			[]string{`availability_slots.ndjson:1: discipline_id: id 2147483648 out of range [1, 2147483647]`,
				`availability_slots.ndjson:1: weekday: -1 out of range [0, 6]`,
				`availability_slots.ndjson:1: start_minute: -60 out of range [0, 1440]`,
				`availability_slots.ndjson:1: end_minute: 2000 out of range [0, 1440]`}},
		{"nps score below 0", map[string]string{FileNPSAnswers: exampleLine(t, FileNPSAnswers, 1, nps1, unknownID, `"score":9`, `"score":-1`)},
			[]string{`nps_answers.ndjson:1: score: -1 out of range [0, 10]`}},
		{"times out of range", map[string]string{FileBookings: booking(`,"scheduled_for":"9999-12-31T23:59:59Z","queued_at":"2100-01-01T00:00:00Z"`) + "\n" +
			strings.Replace(booking(""), `2026-06-10T10:00:00Z`, `0001-01-01T00:00:00Z`, 1)},
			[]string{`bookings.ndjson:1: scheduled_for: "9999-12-31T23:59:59Z" out of range [1970-01-01T00:00:00Z, 2100-01-01T00:00:00Z)`,
				`bookings.ndjson:1: queued_at: "2100-01-01T00:00:00Z" out of range [1970-01-01T00:00:00Z, 2100-01-01T00:00:00Z)`,
				`bookings.ndjson:2: created_at: "0001-01-01T00:00:00Z" out of range [1970-01-01T00:00:00Z, 2100-01-01T00:00:00Z)`}},
		{"question answered a millennium later", map[string]string{FileQuestions: strings.Replace(question(`,"answered_at":"3026-06-14T11:00:00Z"`), `2026-06-14T10:00:00Z`, `1026-06-14T10:00:00Z`, 1)},
			[]string{`questions.ndjson:1: created_at: "1026-06-14T10:00:00Z" out of range [1970-01-01T00:00:00Z, 2100-01-01T00:00:00Z)`,
				`questions.ndjson:1: answered_at: "3026-06-14T11:00:00Z" out of range [1970-01-01T00:00:00Z, 2100-01-01T00:00:00Z)`}},

		// Rows moved to another school.
		{"question to another school's group", map[string]string{FileQuestions: exampleLine(t, FileQuestions, 2, group1, group3)},
			[]string{`questions.ndjson:1: group_id: question ` + question2 + ` belongs to school ` + school1 + ` in the database; a question cannot change school`}},
		{"question to a new group of another school", map[string]string{
			FileGroups:    `{"id":"` + newGroup + `","name":"Turma Nova","school_id":"` + school2 + `"}`,
			FileQuestions: exampleLine(t, FileQuestions, 2, group1, newGroup)},
			[]string{`questions.ndjson:1: group_id: question ` + question2 + ` belongs to school ` + school1 + ` in the database; a question cannot change school`}},
		{"booking to another school", map[string]string{FileBookings: exampleLine(t, FileBookings, 1,
			`"school_id":"`+school1, `"school_id":"`+school2, group1, group3, room1, room3)},
			[]string{`bookings.ndjson:1: school_id: booking ` + booking1 + ` belongs to school ` + school1 + ` in the database; a booking cannot change school`}},
		{"booking room to another school", map[string]string{FileBookingRooms: exampleLine(t, FileBookingRooms, 1, school1, school2)},
			[]string{`booking_rooms.ndjson:1: school_id: booking room ` + room1 + ` belongs to school ` + school1 + ` in the database; a booking room cannot change school`}},
		{"slot to another school's room", map[string]string{FileAvailabilitySlots: exampleLine(t, FileAvailabilitySlots, 1, room1, room3)},
			[]string{`availability_slots.ndjson:1: booking_room_id: availability slot ` + slot1 + ` belongs to school ` + school1 + ` in the database; an availability slot cannot change school`}},
		{"slot to a new room of another school", map[string]string{
			FileBookingRooms:      `{"id":"` + newRoom + `","name":"Sala Nova","school_id":"` + school2 + `"}`,
			FileAvailabilitySlots: exampleLine(t, FileAvailabilitySlots, 1, room1, newRoom)},
			[]string{`availability_slots.ndjson:1: booking_room_id: availability slot ` + slot1 + ` belongs to school ` + school1 + ` in the database; an availability slot cannot change school`}},
		{"nps answer to another user", map[string]string{FileNPSAnswers: exampleLine(t, FileNPSAnswers, 1, student5, student8)},
			[]string{`nps_answers.ndjson:1: user_id: NPS answer ` + nps1 + ` belongs to user ` + student5 + ` in the database; an NPS answer cannot change user`}},
		{"several moves, each on its line", map[string]string{FileQuestions: exampleLine(t, FileQuestions, 1) + "\n" +
			exampleLine(t, FileQuestions, 2, group1, group3) + "\n" + exampleLine(t, FileQuestions, 6, group3, group1)},
			[]string{`questions.ndjson:2: group_id: question ` + question2 + ` belongs to school ` + school1 + ` in the database; a question cannot change school`,
				`questions.ndjson:3: group_id: question ` + question6 + ` belongs to school ` + school2 + ` in the database; a question cannot change school`}},

		// Strings that are not text.
		{"invalid UTF-8", map[string]string{FileGroups: strings.Replace(okGroup, "Turma Nova", "Turma \xffNova", 1)},
			[]string{`groups.ndjson:1: name: invalid UTF-8 at byte 6 of the string`}},
		{"UTF-8 of a surrogate", map[string]string{FileDisciplines: "{\"id\":7,\"name\":\"Artes \xed\xa0\x80\"}"},
			[]string{`disciplines.ndjson:1: name: invalid UTF-8 at byte 6 of the string`}},
		{"overlong UTF-8", map[string]string{FileDisciplines: "{\"id\":7,\"name\":\"\xc0\xafArtes\"}"},
			[]string{`disciplines.ndjson:1: name: invalid UTF-8 at byte 0 of the string`}},
		{"a raw NUL byte", map[string]string{FileDisciplines: "{\"id\":7,\"name\":\"Ar\x00tes\"}"},
			[]string{`disciplines.ndjson:1: invalid JSON: invalid character '\x00' in string literal`}},
		{"NUL in a description", map[string]string{FileQuestions: question(`,"description":"Uma d\u00favida\u0000"`)},
			[]string{`questions.ndjson:1: description: NUL character (\u0000) at byte 15 of the string`}},
		{"NUL in every kind of string", map[string]string{FileQuestions: question(`,"answered_at":"2026-06-14T11:00:00Z\u0000","answer_comment":"\u0000"`),
			FileUsers:   `{"id":"` + unknownID + `\u0000","first_name":"Pedro","email":"p@x.br","role":"TEACHER\u0000","created_at":"2026-01-01T00:00:00Z"}`,
			FileSchools: school(`,"timezone":"America/Sao_Paulo\u0000"`)},
			[]string{`schools.ndjson:1: timezone: NUL character (\u0000) at byte 17 of the string`,
				`users.ndjson:1: id: NUL character (\u0000) at byte 36 of the string`,
				`users.ndjson:1: role: NUL character (\u0000) at byte 7 of the string`,
				`questions.ndjson:1: answered_at: NUL character (\u0000) at byte 20 of the string`,
				`questions.ndjson:1: answer_comment: NUL character (\u0000) at byte 0 of the string`}},
		{"unpaired surrogates", map[string]string{FileUsers: `{"id":"` + unknownID + `","first_name":"Pedro \ud800","last_name":"\udc00\ud800","email":"\ud83d","role":"TEACHER","created_at":"2026-01-01T00:00:00Z"}`},
			[]string{`users.ndjson:1: first_name: unpaired UTF-16 surrogate (\ud800) at byte 6 of the string`,
				`users.ndjson:1: last_name: unpaired UTF-16 surrogate (\udc00) at byte 0 of the string`,
				`users.ndjson:1: email: unpaired UTF-16 surrogate (\ud83d) at byte 0 of the string`}},
		{"an escaped backslash before u0000 is no NUL, but invalid UTF-8 after it is", map[string]string{FileDisciplines: `{"id":7,"name":"C:\\u0000` + "\xff" + `"}`},
			[]string{`disciplines.ndjson:1: name: invalid UTF-8 at byte 9 of the string`}},
		{"a million-byte id is not repeated whole", map[string]string{FileGroups: strings.Replace(okGroup, newGroup, hugeID, 1)},
			[]string{`groups.ndjson:1: id: malformed id "` + hugeID[:maxShown] + `"… (want a UUID)`}},
		{"a million-byte unknown field is not repeated whole", map[string]string{FileDisciplines: `{"id":7,"name":"Artes","` + hugeID + `":1}`},
			[]string{`disciplines.ndjson:1: ` + hugeID[:maxShown] + `…: unknown field`}},
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		mustImport(t, d, exampleDir)
		before := checksum(t, d)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantRejected(t, d, tc.files, tc.want, before)
			})
		}
	})
}

// TestImportAcceptsBounds imports the limits of the ranges and the updates
// that keep a row in its school: they are not rejected, and the strings
// arrive intact.
func TestImportAcceptsBounds(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		mustImport(t, d, exampleDir)
		dir := writeDir(t, map[string]string{
			FileSchools: school(`,"min_cancel_hours":8760`+windows(maxServiceWindows)) + "\n" +
				`{"id":"1f6a3c52-8d4e-4b7a-9c1e-2a5b7d9e0f08","name":"Escola Vazia","min_cancel_hours":0,"service_hours":[{"weekday":0,"start_minute":0,"end_minute":1440},{"weekday":6,"start_minute":0,"end_minute":720},{"weekday":6,"start_minute":720,"end_minute":1440}]}`,
			FileDisciplines: `{"id":2147483647,"name":"Artes \ud83c\udfa8 \u00e9 \\u0000 \ufffd"}`,
			// The ends of the time range, on a booking: a question asked in
			// 1970 would make the adjusted response time walk 56 years of
			// days (and, on hours.Minutes before its DST fix, loop forever
			// on São Paulo's midnight clock changes).
			FileBookings: exampleLine(t, FileBookings, 1, `"created_at":"2026-06-08T12:00:00Z"`, `"created_at":"1970-01-01T00:00:00Z"`,
				`"scheduled_for":"2026-06-10T17:00:00Z"`, `"scheduled_for":"2099-12-31T23:59:59.999999Z"`),
			// Moves inside the school: another group, another room.
			FileQuestions:         exampleLine(t, FileQuestions, 2, group1, group2),
			FileAvailabilitySlots: exampleLine(t, FileAvailabilitySlots, 1, room1, room2),
			FileNPSAnswers:        exampleLine(t, FileNPSAnswers, 1, `"score":9`, `"score":10`),
		})
		mustImport(t, d, dir)
		var name string
		if err := d.SQL.QueryRow(`SELECT name FROM disciplines WHERE id = 2147483647`).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if want := "Artes 🎨 é \\u0000 \ufffd"; name != want {
			t.Errorf("name = %q, want %q", name, want)
		}
		var group string
		if err := d.SQL.QueryRow(`SELECT group_id FROM questions WHERE id = `+placeholder(d.Dialect, 1), question2).Scan(&group); err != nil {
			t.Fatal(err)
		}
		if group != group2 {
			t.Errorf("question's group = %s, want %s", group, group2)
		}
	})
}

// bookingsOf runs the bookings report of one school over all time.
func bookingsOf(t *testing.T, d *db.DB, school string) ([]report.BookingRow, error) {
	t.Helper()
	in := report.BookingsInput{From: allFrom, To: allTo, SchoolIDs: []gid.SchoolID{gid.SchoolID(uuid.MustParse(school))}}
	seq, err := report.Bookings(context.Background(), d, everything, in, now)
	if err != nil {
		return nil, err
	}
	var rows []report.BookingRow
	for r, err := range seq {
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// legacy renders rows as the legacy export does, one line each (the rows
// hold pointers, which fmt would print as addresses).
func legacy(rows []report.BookingRow) string {
	var b strings.Builder
	for i := range rows {
		fmt.Fprintln(&b, rows[i].Legacy()...)
	}
	return b.String()
}

// TestReportAfterRejectedImport checks that the bookings report of a
// school still works, unchanged, after a hostile import of that school is
// rejected — on PostgreSQL a stored min_cancel_hours of 2⁶³−1 made it fail
// with "interval out of range" — and that it works at the largest
// min_cancel_hours an import accepts.
func TestReportAfterRejectedImport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		mustImport(t, d, exampleDir)
		before, err := bookingsOf(t, d, school1)
		if err != nil {
			t.Fatal(err)
		}
		if len(before) == 0 {
			t.Fatal("the example has no bookings in school 1")
		}

		hostile := copyExample(t, FileSchools, `"min_cancel_hours":24`, `"min_cancel_hours":9223372036854775807`)
		var errs *Errors
		if _, err := Import(context.Background(), d, hostile, nil); !errors.As(err, &errs) {
			t.Fatalf("err = %v, want *Errors", err)
		}
		after, err := bookingsOf(t, d, school1)
		if err != nil {
			t.Fatalf("the report fails after a rejected import: %v", err)
		}
		if legacy(after) != legacy(before) {
			t.Errorf("the report changed after a rejected import:\n%s\nwant\n%s", legacy(after), legacy(before))
		}

		// At the bound, a student's cancellation two days ahead is outside
		// the schedule: the report runs and applies it.
		mustImport(t, d, copyExample(t, FileSchools, `"min_cancel_hours":24`, `"min_cancel_hours":8760`))
		atBound, err := bookingsOf(t, d, school1)
		if err != nil {
			t.Fatalf("the report fails at min_cancel_hours 8760: %v", err)
		}
		statuses := map[report.BookingStatus]int{}
		for _, r := range atBound {
			statuses[r.Status]++
		}
		if statuses[report.BookingInsideScheduleCancel] != 0 || statuses[report.BookingOutsideScheduleCancel] == 0 {
			t.Errorf("statuses at min_cancel_hours 8760: %v", statuses)
		}
	})
}

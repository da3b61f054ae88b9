package importer

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/ent/schema/hours"
)

// The records of the files, one type per file. Pointers tell an absent
// field from a zero one; strings are text, checked to be valid text by the
// parser; ids are strings (UUIDs) or integers, times RFC 3339 strings,
// parsed by the parser so that errors name the field.
// docs/import.md documents every field.

// record is a decoded line of one of the files.
type record interface {
	// rawID returns the record's id as written, to define it even when
	// the line is otherwise broken (so its dependants are not all
	// reported as dangling); "" if it has none.
	rawID() (kind, key, bool)
	// parse checks the record and returns its rows; p.ok tells whether
	// it is valid.
	parse(p *parser) rowset
}

// rowset is what a record writes: its row in its own table (nil for a
// membership) and rows of join tables.
type rowset struct {
	main  []any
	joins []joinRow
}

type joinRow struct {
	t    *table
	vals []any
}

// newRecord returns an empty record of the file's type.
var newRecord = map[string]func() record{
	FileSchools:           func() record { return new(schoolRecord) },
	FileDisciplines:       func() record { return new(disciplineRecord) },
	FileSubjects:          func() record { return new(subjectRecord) },
	FileGroups:            func() record { return new(groupRecord) },
	FileUsers:             func() record { return new(userRecord) },
	FileBookingRooms:      func() record { return new(bookingRoomRecord) },
	FileMemberships:       func() record { return new(membershipRecord) },
	FileQuestions:         func() record { return new(questionRecord) },
	FileBookings:          func() record { return new(bookingRecord) },
	FileAvailabilitySlots: func() record { return new(availabilitySlotRecord) },
	FileNPSAnswers:        func() record { return new(npsAnswerRecord) },
}

func rawUUID(k kind, t *text) (kind, key, bool) {
	if t == nil || t.problem != "" {
		return k, key{}, false
	}
	u, err := uuid.Parse(t.s)
	return k, key{u: u}, err == nil && len(t.s) == 36
}

func rawInt(k kind, n *integer) (kind, key, bool) {
	if n == nil {
		return k, key{}, false
	}
	v, err := strconv.ParseInt(string(*n), 10, 64)
	if err != nil || v <= 0 || v > maxIntID {
		return k, key{}, false
	}
	return k, key{n: v}, true
}

// ---- schools

type schoolRecord struct {
	ID             *text           `json:"id"`
	Name           *text           `json:"name"`
	Timezone       *text           `json:"timezone"`
	MinCancelHours *integer        `json:"min_cancel_hours"`
	ServiceHours   *[]windowRecord `json:"service_hours"`
}

type windowRecord struct {
	Weekday     *integer `json:"weekday"`
	StartMinute *integer `json:"start_minute"`
	EndMinute   *integer `json:"end_minute"`
}

const defaultTimezone = "America/Sao_Paulo"

func (r *schoolRecord) rawID() (kind, key, bool) { return rawUUID(kSchool, r.ID) }

func (r *schoolRecord) parse(p *parser) rowset {
	id, idOK := p.uuid("id", r.ID, true)
	name := p.str("name", r.Name, true, true)
	tz, tzOK := defaultTimezone, true
	if r.Timezone != nil {
		tz, tzOK = p.text("timezone", r.Timezone, false)
	}
	var loc *time.Location
	if tzOK {
		var err error
		loc, err = time.LoadLocation(tz)
		if err != nil || tz == "" || tz == "Local" {
			p.fail("timezone", "unknown IANA time zone %s", clip(tz))
		}
	}
	minCancel := p.intIn("min_cancel_hours", r.MinCancelHours, false, 24, 0, maxMinCancelHours)
	windows := hours.Default()
	if r.ServiceHours != nil {
		windows = p.windows("service_hours", *r.ServiceHours)
	}
	js, _ := json.Marshal(windows)
	if idOK {
		p.define(kSchool, key{u: id}, key{})
		if p.ok && p.v != nil {
			p.v.zones[id] = zone{loc: loc, windows: windows}
		}
	}
	return rowset{main: []any{id, name, tz, minCancel, js}}
}

// windows checks a school's service hours: at most maxServiceWindows
// windows, each inside one day, none overlapping another of its weekday
// (the overlap would be counted twice in adjusted response times).
func (p *parser) windows(field string, list []windowRecord) []hours.Window {
	if len(list) > maxServiceWindows {
		p.fail(field, "%d windows, at most %d", len(list), maxServiceWindows)
		return nil
	}
	// p.ok tells, after the loop, whether every window is valid by itself:
	// overlaps are only looked for then.
	recordOK := p.ok
	p.ok = true
	windows := make([]hours.Window, 0, len(list))
	for i, w := range list {
		f := fmt.Sprintf("%s[%d].", field, i)
		day := p.intIn(f+"weekday", w.Weekday, true, 0, 0, 6)
		start := p.intIn(f+"start_minute", w.StartMinute, true, 0, 0, 24*60)
		end := p.intIn(f+"end_minute", w.EndMinute, true, 0, 0, 24*60)
		if w.StartMinute != nil && w.EndMinute != nil && end <= start {
			p.fail(f+"end_minute", "not after start_minute")
		}
		windows = append(windows, hours.Window{Weekday: int(day), StartMinute: int(start), EndMinute: int(end)})
	}
	windowsOK := p.ok
	p.ok = recordOK && windowsOK
	if !windowsOK {
		return windows
	}
	// Sorted by weekday and start, a window overlaps another of its day
	// exactly when it starts before the end of the one before it.
	order := make([]int, len(windows))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		wa, wb := windows[order[a]], windows[order[b]]
		if wa.Weekday != wb.Weekday {
			return wa.Weekday < wb.Weekday
		}
		return wa.StartMinute < wb.StartMinute
	})
	for n := 1; n < len(order); n++ {
		prev, cur := order[n-1], order[n]
		if windows[cur].Weekday == windows[prev].Weekday && windows[cur].StartMinute < windows[prev].EndMinute {
			first, second := min(prev, cur), max(prev, cur)
			p.fail(fmt.Sprintf("%s[%d]", field, second), "overlaps %s[%d] (same weekday)", field, first)
		}
	}
	return windows
}

// ---- disciplines and subjects

type disciplineRecord struct {
	ID   *integer `json:"id"`
	Name *text    `json:"name"`
}

func (r *disciplineRecord) rawID() (kind, key, bool) { return rawInt(kDiscipline, r.ID) }

func (r *disciplineRecord) parse(p *parser) rowset {
	id, idOK := p.intID("id", r.ID, true)
	name := p.str("name", r.Name, true, true)
	if idOK {
		p.define(kDiscipline, key{n: id}, key{})
	}
	return rowset{main: []any{id, name}}
}

type subjectRecord struct {
	ID           *integer `json:"id"`
	Name         *text    `json:"name"`
	DisciplineID *integer `json:"discipline_id"`
}

func (r *subjectRecord) rawID() (kind, key, bool) { return rawInt(kSubject, r.ID) }

func (r *subjectRecord) parse(p *parser) rowset {
	id, idOK := p.intID("id", r.ID, true)
	name := p.str("name", r.Name, true, true)
	disc, discOK := p.intID("discipline_id", r.DisciplineID, true)
	if discOK {
		p.ref("discipline_id", kDiscipline, key{n: disc}, nil)
	}
	if idOK {
		p.define(kSubject, key{n: id}, key{n: disc})
	}
	return rowset{main: []any{id, name, disc}}
}

// ---- groups

type groupRecord struct {
	ID       *text `json:"id"`
	Name     *text `json:"name"`
	SchoolID *text `json:"school_id"`
}

func (r *groupRecord) rawID() (kind, key, bool) { return rawUUID(kGroup, r.ID) }

func (r *groupRecord) parse(p *parser) rowset {
	id, idOK := p.uuid("id", r.ID, true)
	name := p.str("name", r.Name, true, true)
	school, schoolOK := p.uuid("school_id", r.SchoolID, true)
	if schoolOK {
		p.ref("school_id", kSchool, key{u: school}, nil)
	}
	if idOK {
		p.define(kGroup, key{u: id}, key{u: school})
		if schoolOK {
			p.owns(kGroup, id, school)
		}
	}
	return rowset{main: []any{id, name, school}}
}

// ---- users

type userRecord struct {
	ID            *text      `json:"id"`
	FirstName     *text      `json:"first_name"`
	LastName      *text      `json:"last_name"`
	Email         *text      `json:"email"`
	ExternalID    *text      `json:"external_id"`
	Role          *text      `json:"role"`
	CreatedAt     *text      `json:"created_at"`
	BlockedAt     *text      `json:"blocked_at"`
	DeletedAt     *text      `json:"deleted_at"`
	DisciplineIDs *[]integer `json:"discipline_ids"`
}

func (r *userRecord) rawID() (kind, key, bool) { return rawUUID(kUser, r.ID) }

func (r *userRecord) parse(p *parser) rowset {
	id, idOK := p.uuid("id", r.ID, true)
	first := p.str("first_name", r.FirstName, true, true)
	last := p.str("last_name", r.LastName, false, false)
	email := p.str("email", r.Email, true, true)
	ext := p.str("external_id", r.ExternalID, false, false)
	role := p.enum("role", r.Role, "", "STUDENT", "TEACHER", "STAFF")
	created := p.time("created_at", r.CreatedAt, true)
	blocked := p.time("blocked_at", r.BlockedAt, false)
	deleted := p.time("deleted_at", r.DeletedAt, false)
	p.notBefore("blocked_at", blocked, "created_at", created)
	p.notBefore("deleted_at", deleted, "created_at", created)
	var set rowset
	if r.DisciplineIDs != nil {
		for i, d := range *r.DisciplineIDs {
			f := fmt.Sprintf("discipline_ids[%d]", i)
			if n, ok := p.intID(f, &d, true); ok {
				p.ref(f, kDiscipline, key{n: n}, nil)
				set.joins = append(set.joins, joinRow{tUserDisciplines, []any{id, n}})
			}
		}
	}
	if idOK {
		p.define(kUser, key{u: id}, key{})
	}
	set.main = []any{id, first, last, email, ext, role, timeValue(created), timeValue(blocked), timeValue(deleted)}
	return set
}

// ---- booking rooms

type bookingRoomRecord struct {
	ID            *text      `json:"id"`
	Name          *text      `json:"name"`
	SchoolID      *text      `json:"school_id"`
	Modal         *text      `json:"modal"`
	DisciplineIDs *[]integer `json:"discipline_ids"`
}

func (r *bookingRoomRecord) rawID() (kind, key, bool) { return rawUUID(kRoom, r.ID) }

func (r *bookingRoomRecord) parse(p *parser) rowset {
	id, idOK := p.uuid("id", r.ID, true)
	name := p.str("name", r.Name, true, true)
	school, schoolOK := p.uuid("school_id", r.SchoolID, true)
	if schoolOK {
		p.ref("school_id", kSchool, key{u: school}, nil)
	}
	modal := p.enum("modal", r.Modal, "ONLINE", "ONLINE", "PRESENCIAL", "HIBRIDO")
	var set rowset
	if r.DisciplineIDs != nil {
		for i, d := range *r.DisciplineIDs {
			f := fmt.Sprintf("discipline_ids[%d]", i)
			if n, ok := p.intID(f, &d, true); ok {
				p.ref(f, kDiscipline, key{n: n}, nil)
				set.joins = append(set.joins, joinRow{tRoomDisciplines, []any{id, n}})
			}
		}
	}
	if idOK {
		p.define(kRoom, key{u: id}, key{u: school})
		if schoolOK {
			p.owns(kRoom, id, school)
		}
	}
	set.main = []any{id, name, school, modal}
	return set
}

// ---- memberships

type membershipRecord struct {
	GroupID *text `json:"group_id"`
	UserID  *text `json:"user_id"`
	Role    *text `json:"role"`
}

func (r *membershipRecord) rawID() (kind, key, bool) { return 0, key{}, false }

func (r *membershipRecord) parse(p *parser) rowset {
	group, gOK := p.uuid("group_id", r.GroupID, true)
	user, uOK := p.uuid("user_id", r.UserID, true)
	role := p.enum("role", r.Role, "", "student", "teacher")
	if gOK {
		p.ref("group_id", kGroup, key{u: group}, nil)
	}
	if uOK {
		p.ref("user_id", kUser, key{u: user}, nil)
	}
	t := tGroupStudents
	if role == "teacher" {
		t = tGroupTeachers
	}
	return rowset{joins: []joinRow{{t, []any{group, user}}}}
}

// ---- questions

type questionRecord struct {
	ID                     *text    `json:"id"`
	StudentID              *text    `json:"student_id"`
	GroupID                *text    `json:"group_id"`
	DisciplineID           *integer `json:"discipline_id"`
	SubjectID              *integer `json:"subject_id"`
	Anonymous              *bool    `json:"anonymous"`
	Description            *text    `json:"description"`
	CreatedAt              *text    `json:"created_at"`
	TeacherID              *text    `json:"teacher_id"`
	AnsweredAt             *text    `json:"answered_at"`
	AnswerDescription      *text    `json:"answer_description"`
	ReplyDescription       *text    `json:"reply_description"`
	ReplyCreatedAt         *text    `json:"reply_created_at"`
	ReplyAnswerDescription *text    `json:"reply_answer_description"`
	ReplyAnsweredAt        *text    `json:"reply_answered_at"`
	AnswerRating           *integer `json:"answer_rating"`
	AnswerUnderstood       *bool    `json:"answer_understood"`
	AnswerComment          *text    `json:"answer_comment"`
	HasSeenAnswer          *bool    `json:"has_seen_answer"`
	CancelledAt            *text    `json:"cancelled_at"`
}

// The columns of questions the writer fills in: the response times, from
// the group's school, and the values they come from.
const (
	qGroup           = 2
	qCreatedAt       = 7
	qAnsweredAt      = 9
	qResponseMinutes = 11
	qAdjustedMinutes = 12
)

func (r *questionRecord) rawID() (kind, key, bool) { return rawUUID(kQuestion, r.ID) }

func (r *questionRecord) parse(p *parser) rowset {
	id, idOK := p.uuid("id", r.ID, true)
	student, sOK := p.uuid("student_id", r.StudentID, true)
	group, gOK := p.uuid("group_id", r.GroupID, true)
	disc, dOK := p.intID("discipline_id", r.DisciplineID, true)
	subject, subOK := p.intID("subject_id", r.SubjectID, false)
	teacher, tOK := p.uuid("teacher_id", r.TeacherID, false)
	created := p.time("created_at", r.CreatedAt, true)
	answered := p.time("answered_at", r.AnsweredAt, false)
	replied := p.time("reply_created_at", r.ReplyCreatedAt, false)
	replyAnswered := p.time("reply_answered_at", r.ReplyAnsweredAt, false)
	cancelled := p.time("cancelled_at", r.CancelledAt, false)

	p.notBefore("answered_at", answered, "created_at", created)
	p.requires("reply_created_at", replied != nil, "answered_at", r.AnsweredAt != nil)
	p.notBefore("reply_created_at", replied, "answered_at", answered)
	p.requires("reply_answered_at", replyAnswered != nil, "reply_created_at", r.ReplyCreatedAt != nil)
	p.notBefore("reply_answered_at", replyAnswered, "reply_created_at", replied)
	p.notBefore("cancelled_at", cancelled, "created_at", created)

	var rating any
	if r.AnswerRating != nil {
		rating = p.intIn("answer_rating", r.AnswerRating, false, 0, 1, 5)
	}
	var understood any
	if r.AnswerUnderstood != nil {
		understood = *r.AnswerUnderstood
	}

	if sOK {
		p.ref("student_id", kUser, key{u: student}, nil)
	}
	if gOK {
		p.ref("group_id", kGroup, key{u: group}, func(p *parser, e entry) {
			if idOK {
				p.owns(kQuestion, id, e.parent.u)
			}
		})
	}
	if dOK {
		p.ref("discipline_id", kDiscipline, key{n: disc}, nil)
	}
	if subOK {
		p.ref("subject_id", kSubject, key{n: subject}, func(p *parser, e entry) {
			if dOK && e.parent.n != disc {
				p.fail("subject_id", "subject %d belongs to discipline %d, not %d", subject, e.parent.n, disc)
			}
		})
	}
	if tOK {
		p.ref("teacher_id", kUser, key{u: teacher}, nil)
	}
	var subjectValue any
	if subOK {
		subjectValue = subject
	}
	return rowset{main: []any{
		id, student, group, disc, subjectValue,
		r.Anonymous != nil && *r.Anonymous,
		p.str("description", r.Description, false, false),
		timeValue(created),
		uuidValue(teacher, tOK),
		timeValue(answered),
		p.optStr("answer_description", r.AnswerDescription),
		nil, nil, // response minutes, filled in by the writer
		p.optStr("reply_description", r.ReplyDescription),
		timeValue(replied),
		p.optStr("reply_answer_description", r.ReplyAnswerDescription),
		timeValue(replyAnswered),
		rating,
		understood,
		p.optStr("answer_comment", r.AnswerComment),
		r.HasSeenAnswer != nil && *r.HasSeenAnswer,
		timeValue(cancelled),
	}}
}

// ---- bookings

type bookingRecord struct {
	ID                         *text    `json:"id"`
	SchoolID                   *text    `json:"school_id"`
	GroupID                    *text    `json:"group_id"`
	StudentID                  *text    `json:"student_id"`
	TeacherID                  *text    `json:"teacher_id"`
	DisciplineID               *integer `json:"discipline_id"`
	BookingRoomID              *text    `json:"booking_room_id"`
	CreatedAt                  *text    `json:"created_at"`
	ScheduledFor               *text    `json:"scheduled_for"`
	MeetingStartedAt           *text    `json:"meeting_started_at"`
	MeetingEndedAt             *text    `json:"meeting_ended_at"`
	QueuedAt                   *text    `json:"queued_at"`
	LeftQueueAt                *text    `json:"left_queue_at"`
	CancelledAt                *text    `json:"cancelled_at"`
	CancelledByID              *text    `json:"cancelled_by_id"`
	RatingByStudent            *decimal `json:"rating_by_student"`
	RatingByTeacher            *decimal `json:"rating_by_teacher"`
	CallQualityRatingByStudent *decimal `json:"call_quality_rating_by_student"`
	CallQualityRatingByTeacher *decimal `json:"call_quality_rating_by_teacher"`
}

func (r *bookingRecord) rawID() (kind, key, bool) { return rawUUID(kBooking, r.ID) }

func (r *bookingRecord) parse(p *parser) rowset {
	id, idOK := p.uuid("id", r.ID, true)
	school, schOK := p.uuid("school_id", r.SchoolID, true)
	group, gOK := p.uuid("group_id", r.GroupID, true)
	student, sOK := p.uuid("student_id", r.StudentID, true)
	teacher, tOK := p.uuid("teacher_id", r.TeacherID, false)
	disc, dOK := p.intID("discipline_id", r.DisciplineID, true)
	room, rOK := p.uuid("booking_room_id", r.BookingRoomID, false)
	canceller, cOK := p.uuid("cancelled_by_id", r.CancelledByID, false)

	created := p.time("created_at", r.CreatedAt, true)
	scheduled := p.time("scheduled_for", r.ScheduledFor, false)
	started := p.time("meeting_started_at", r.MeetingStartedAt, false)
	ended := p.time("meeting_ended_at", r.MeetingEndedAt, false)
	queued := p.time("queued_at", r.QueuedAt, false)
	left := p.time("left_queue_at", r.LeftQueueAt, false)
	cancelled := p.time("cancelled_at", r.CancelledAt, false)

	p.notBefore("meeting_started_at", started, "created_at", created)
	p.requires("meeting_ended_at", r.MeetingEndedAt != nil, "meeting_started_at", r.MeetingStartedAt != nil)
	p.notBefore("meeting_ended_at", ended, "meeting_started_at", started)
	p.notBefore("queued_at", queued, "created_at", created)
	p.requires("left_queue_at", r.LeftQueueAt != nil, "queued_at", r.QueuedAt != nil)
	p.notBefore("left_queue_at", left, "queued_at", queued)
	p.notBefore("cancelled_at", cancelled, "created_at", created)
	p.requires("cancelled_by_id", r.CancelledByID != nil, "cancelled_at", r.CancelledAt != nil)

	if schOK {
		p.ref("school_id", kSchool, key{u: school}, nil)
		if idOK {
			p.owns(kBooking, id, school)
		}
	}
	if gOK {
		p.ref("group_id", kGroup, key{u: group}, func(p *parser, e entry) {
			if schOK && e.parent.u != school {
				p.fail("school_id", "%s is not the school of group %s (its school is %s)", school, group, e.parent.u)
			}
		})
	}
	if sOK {
		p.ref("student_id", kUser, key{u: student}, nil)
	}
	if tOK {
		p.ref("teacher_id", kUser, key{u: teacher}, nil)
	}
	if dOK {
		p.ref("discipline_id", kDiscipline, key{n: disc}, nil)
	}
	if rOK {
		p.ref("booking_room_id", kRoom, key{u: room}, func(p *parser, e entry) {
			if schOK && e.parent.u != school {
				p.fail("booking_room_id", "room %s belongs to school %s, not %s", room, e.parent.u, school)
			}
		})
	}
	if cOK {
		p.ref("cancelled_by_id", kUser, key{u: canceller}, nil)
	}
	return rowset{main: []any{
		id, school, group, student, uuidValue(teacher, tOK), disc, uuidValue(room, rOK),
		timeValue(created), timeValue(scheduled), timeValue(started), timeValue(ended),
		timeValue(queued), timeValue(left), timeValue(cancelled), uuidValue(canceller, cOK),
		p.rating("rating_by_student", r.RatingByStudent),
		p.rating("rating_by_teacher", r.RatingByTeacher),
		p.rating("call_quality_rating_by_student", r.CallQualityRatingByStudent),
		p.rating("call_quality_rating_by_teacher", r.CallQualityRatingByTeacher),
	}}
}

// ---- availability slots

type availabilitySlotRecord struct {
	ID            *text    `json:"id"`
	TeacherID     *text    `json:"teacher_id"`
	BookingRoomID *text    `json:"booking_room_id"`
	DisciplineID  *integer `json:"discipline_id"`
	Weekday       *integer `json:"weekday"`
	StartMinute   *integer `json:"start_minute"`
	EndMinute     *integer `json:"end_minute"`
}

func (r *availabilitySlotRecord) rawID() (kind, key, bool) { return rawUUID(kSlot, r.ID) }

func (r *availabilitySlotRecord) parse(p *parser) rowset {
	id, idOK := p.uuid("id", r.ID, true)
	teacher, tOK := p.uuid("teacher_id", r.TeacherID, true)
	room, rOK := p.uuid("booking_room_id", r.BookingRoomID, true)
	disc, dOK := p.intID("discipline_id", r.DisciplineID, true)
	day := p.intIn("weekday", r.Weekday, true, 0, 0, 6)
	start := p.intIn("start_minute", r.StartMinute, true, 0, 0, 24*60)
	end := p.intIn("end_minute", r.EndMinute, true, 0, 0, 24*60)
	if r.StartMinute != nil && r.EndMinute != nil && end <= start {
		p.fail("end_minute", "not after start_minute")
	}
	if tOK {
		p.ref("teacher_id", kUser, key{u: teacher}, nil)
	}
	if rOK {
		p.ref("booking_room_id", kRoom, key{u: room}, func(p *parser, e entry) {
			if idOK {
				p.owns(kSlot, id, e.parent.u)
			}
		})
	}
	if dOK {
		p.ref("discipline_id", kDiscipline, key{n: disc}, nil)
	}
	return rowset{main: []any{id, teacher, room, disc, day, start, end}}
}

// ---- NPS answers

type npsAnswerRecord struct {
	ID        *text    `json:"id"`
	UserID    *text    `json:"user_id"`
	Kind      *text    `json:"kind"`
	Score     *integer `json:"score"`
	Comment   *text    `json:"comment"`
	CreatedAt *text    `json:"created_at"`
}

func (r *npsAnswerRecord) rawID() (kind, key, bool) { return rawUUID(kNPS, r.ID) }

func (r *npsAnswerRecord) parse(p *parser) rowset {
	id, idOK := p.uuid("id", r.ID, true)
	user, uOK := p.uuid("user_id", r.UserID, true)
	kind := p.enum("kind", r.Kind, "", "PLATFORM", "RESPONSE_TIME")
	score := p.intIn("score", r.Score, true, 0, 0, 10)
	comment := p.str("comment", r.Comment, false, false)
	created := p.time("created_at", r.CreatedAt, true)
	if uOK {
		p.ref("user_id", kUser, key{u: user}, nil)
		if idOK {
			p.owns(kNPS, id, user)
		}
	}
	return rowset{main: []any{id, user, kind, score, comment, timeValue(created)}}
}

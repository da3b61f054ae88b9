package seed

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // the schools' zones, also where the system has none

	"github.com/google/uuid"

	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/schema/hours"
	"github.com/stift/stift-reports/ent/user"
)

// The seeds of the two random streams: content and ids. Ids have their own
// stream so that tuning the content does not renumber every row.
const (
	contentSeed1, contentSeed2 = 20260615, 1500
	idSeed1, idSeed2           = 20260615, 42
)

// day is a calendar day; months are taken as 30 days.
const day = 24 * time.Hour

// school, group, person, room and slot are the generator's view of the
// organisation: ids plus the links the generator needs to pick consistent
// rows. Leaf rows (questions, bookings, …) are kept as ent entities.
type school struct {
	id        gid.SchoolID
	name      string
	loc       *time.Location
	minCancel time.Duration
	hours     []hours.Window
	groups    []*group
	rooms     []*room
	staff     []*person
}

type group struct {
	id       gid.GroupID
	name     string
	school   *school
	students []*person
	teachers []*person
}

// person is a student, teacher or staff user.
type person struct {
	id          gid.UserID
	first, last string
	email       string
	externalID  string
	role        user.Role
	created     time.Time
	blocked     *time.Time
	deleted     *time.Time
	disciplines []gid.DisciplineID // teachers only
	groups      []*group           // as student or as teacher
	weight      int                // how much a student asks
}

type room struct {
	id          gid.BookingRoomID
	name        string
	modal       string
	school      *school
	disciplines []gid.DisciplineID
}

// slot is one weekly window of a teacher's schedule, in school time.
type slot struct {
	id         gid.AvailabilitySlotID
	teacher    *person
	room       *room
	discipline gid.DisciplineID
	weekday    time.Weekday
	start, end int // minutes from midnight
}

// generator builds the whole demo in memory; write stores it.
type generator struct {
	now  time.Time
	from time.Time // start of the demo's year of activity
	rng  *rand.Rand
	ids  *rand.Rand

	schools   []*school
	groups    []*group
	students  []*person
	teachers  []*person
	staff     []*person
	rooms     []*room
	schedule  []*slot // every teacher's weekly windows, deleted teachers included
	questions []*ent.Question
	bookings  []*ent.Booking
	nps       []*ent.NPSAnswer
	emails    map[string]bool
}

// generate builds the demo as of now.
func generate(now time.Time) (*generator, error) {
	g := &generator{
		now:    now,
		from:   now.Add(-365 * day),
		rng:    rand.New(rand.NewPCG(contentSeed1, contentSeed2)),
		ids:    rand.New(rand.NewPCG(idSeed1, idSeed2)),
		emails: map[string]bool{},
	}
	if err := g.organisation(); err != nil {
		return nil, err
	}
	g.teacherSchedules()
	g.askQuestions()
	g.bookSessions()
	g.answerNPS()
	return g, nil
}

// uuid returns a version 4 UUID drawn from the id stream.
func (g *generator) uuid() uuid.UUID {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[:8], g.ids.Uint64())
	binary.BigEndian.PutUint64(u[8:], g.ids.Uint64())
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

// The random helpers use integers only, so that results do not depend on
// floating-point contraction on other architectures.

// chance reports true with probability percent/100.
func (g *generator) chance(percent int) bool { return g.rng.IntN(100) < percent }

// between returns a random integer in [lo, hi].
func (g *generator) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// pick returns an index of weights, chosen in proportion to its weight.
func (g *generator) pick(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	panic("seed: pick without weights")
}

// one returns a random element of s.
func one[T any](g *generator, s []T) T { return s[g.rng.IntN(len(s))] }

// minutes returns a random duration in [lo, hi] minutes, to the second.
func (g *generator) minutes(lo, hi int) time.Duration {
	return time.Duration(g.between(lo*60, hi*60)) * time.Second
}

// millis returns a random sub-second part, so stored times have
// millisecond precision (which every supported database keeps exactly).
func (g *generator) millis() time.Duration {
	return time.Duration(g.rng.IntN(1000)) * time.Millisecond
}

// ago returns now minus n days and up to ten more hours, so that times of
// day vary.
func (g *generator) ago(days int) time.Time {
	return g.now.Add(-time.Duration(days)*day - g.minutes(0, 10*60))
}

// organisation creates the schools, groups, rooms, staff, teachers and
// students.
func (g *generator) organisation() error {
	byCode := map[string]*group{}
	for _, spec := range schoolSpecs {
		loc, err := time.LoadLocation(spec.timezone)
		if err != nil {
			return fmt.Errorf("seed: time zone of %s: %w", spec.name, err)
		}
		s := &school{
			id: gid.SchoolID(g.uuid()), name: spec.name, loc: loc,
			minCancel: time.Duration(spec.minCancel) * time.Hour, hours: spec.hours,
		}
		g.schools = append(g.schools, s)
		for _, gs := range spec.groups {
			gr := &group{id: gid.GroupID(g.uuid()), name: gs.name, school: s}
			s.groups = append(s.groups, gr)
			g.groups = append(g.groups, gr)
			byCode[gs.code] = gr
		}
		for _, rs := range spec.rooms {
			r := &room{id: gid.BookingRoomID(g.uuid()), name: rs.name, modal: rs.modal, school: s}
			for _, d := range rs.disciplines {
				r.disciplines = append(r.disciplines, gid.DisciplineID(d))
			}
			s.rooms = append(s.rooms, r)
			g.rooms = append(g.rooms, r)
		}
	}
	for _, spec := range staffSpecs {
		p := g.newPerson(user.RoleSTAFF, spec.first, spec.last, g.ago(30*spec.monthsAgo+g.between(0, 29)))
		g.schools[spec.school].staff = append(g.schools[spec.school].staff, p)
		g.staff = append(g.staff, p)
	}
	for _, spec := range teacherSpecs {
		if err := g.addTeacher(spec, byCode); err != nil {
			return err
		}
	}
	g.enrolStudents()
	return nil
}

// newPerson creates a user with a unique e-mail derived from the name.
func (g *generator) newPerson(role user.Role, first, last string, created time.Time) *person {
	p := &person{
		id: gid.UserID(g.uuid()), first: first, last: last, role: role,
		created: created.Add(g.millis()),
	}
	local := asciiLetters(strings.Fields(first)[0]) + "." + asciiLetters(lastWord(last))
	p.email = local + "@stift.com.br"
	for n := 2; g.emails[p.email]; n++ {
		p.email = fmt.Sprintf("%s%d@stift.com.br", local, n)
	}
	g.emails[p.email] = true
	return p
}

func (g *generator) addTeacher(spec teacherSpec, byCode map[string]*group) error {
	p := g.newPerson(user.RoleTEACHER, spec.first, spec.last, g.ago(30*spec.monthsAgo+g.between(0, 29)))
	for _, d := range spec.disciplines {
		p.disciplines = append(p.disciplines, gid.DisciplineID(d))
	}
	for _, code := range spec.groups {
		gr, ok := byCode[code]
		if !ok {
			return fmt.Errorf("seed: teacher %s %s: unknown group %q", spec.first, spec.last, code)
		}
		gr.teachers = append(gr.teachers, p)
		p.groups = append(p.groups, gr)
	}
	if spec.blockedDays > 0 {
		p.blocked = ptr(g.ago(spec.blockedDays))
	}
	if spec.deletedDays > 0 {
		p.deleted = ptr(g.ago(spec.deletedDays))
	}
	g.teachers = append(g.teachers, p)
	return nil
}

// studentCount is the number of demo students; the first share of them
// goes to the first school.
const (
	studentCount       = 60
	firstSchoolPercent = 58
)

// enrolStudents creates the students: each in one group of its school, a
// fifth of them in a second one; a few blocked, a few deleted; and gives
// each an activity weight (some ask a lot, some never).
func (g *generator) enrolStudents() {
	names := map[string]bool{}
	seq := map[int]int{}
	for i := range studentCount {
		s := g.schools[1]
		if i < studentCount*firstSchoolPercent/100 {
			s = g.schools[0]
		}
		first, last := g.uniqueName(names)
		created := g.ago(g.between(400, 900)) // before the demo year
		if g.chance(20) {
			created = g.ago(g.between(30, 330)) // joined during the year
		}
		created = time.Date(created.Year(), created.Month(), created.Day(), g.between(8, 20), g.between(0, 59), g.between(0, 59), 0, s.loc).UTC()
		p := g.newPerson(user.RoleSTUDENT, first, last, created)
		seq[created.Year()]++
		p.externalID = fmt.Sprintf("%d%03d", created.Year(), seq[created.Year()])

		primary := s.groups[i%len(s.groups)]
		g.join(p, primary)
		if g.chance(20) {
			if other := one(g, s.groups); other != primary {
				g.join(p, other)
			}
		}
		p.weight = []int{0, g.between(1, 3), g.between(4, 10), g.between(15, 40)}[g.pick([]int{15, 45, 30, 10})]
		g.students = append(g.students, p)
	}
	g.blockAndDelete()
}

func (g *generator) join(p *person, gr *group) {
	gr.students = append(gr.students, p)
	p.groups = append(p.groups, gr)
}

// uniqueName draws a first name and a two-word last name not used before.
func (g *generator) uniqueName(used map[string]bool) (first, last string) {
	for {
		first = one(g, firstNames)
		a, b := one(g, lastNames), one(g, lastNames)
		last = b
		if a != b && g.chance(60) {
			last = a + " " + b
		}
		if !used[first+" "+last] {
			used[first+" "+last] = true
			return first, last
		}
	}
}

// blockAndDelete blocks three students and deletes three (one of each in
// the second school), at fixed positions of the roster.
func (g *generator) blockAndDelete() {
	n := len(g.students)
	for _, i := range []int{3, 17, n - 5} {
		g.students[i].blocked = ptr(g.ago(g.between(10, 120)).Add(g.millis()))
	}
	for _, i := range []int{8, 26, n - 2} {
		g.students[i].deleted = ptr(g.ago(g.between(20, 180)).Add(g.millis()))
	}
}

// activeAt reports whether p could act at t: created, not yet blocked or
// deleted.
func (p *person) activeAt(t time.Time) bool {
	return !t.Before(p.created) &&
		(p.blocked == nil || t.Before(*p.blocked)) &&
		(p.deleted == nil || t.Before(*p.deleted))
}

// activeUntil is the end of p's activity: blocked, deleted or now.
func (p *person) activeUntil(now time.Time) time.Time {
	end := now
	for _, t := range []*time.Time{p.blocked, p.deleted} {
		if t != nil && t.Before(end) {
			end = *t
		}
	}
	return end
}

func (p *person) teaches(d gid.DisciplineID) bool { return slices.Contains(p.disciplines, d) }

// teachersOf returns the teachers of gr who teach d and are active at t.
func teachersOf(gr *group, d gid.DisciplineID, t time.Time) []*person {
	var out []*person
	for _, p := range gr.teachers {
		if p.teaches(d) && p.activeAt(t) {
			out = append(out, p)
		}
	}
	return out
}

// groupDisciplines returns the disciplines taught in gr, in id order.
func groupDisciplines(gr *group) []gid.DisciplineID {
	var out []gid.DisciplineID
	for _, d := range allDisciplines {
		for _, p := range gr.teachers {
			if p.teaches(gid.DisciplineID(d)) {
				out = append(out, gid.DisciplineID(d))
				break
			}
		}
	}
	return out
}

// teacherSchedules gives every teacher one or two weekly slots per school
// and discipline, in a room of that school offering the discipline, never
// overlapping the teacher's other slots.
func (g *generator) teacherSchedules() {
	for _, t := range g.teachers {
		for _, s := range g.schools {
			if !slices.ContainsFunc(t.groups, func(gr *group) bool { return gr.school == s }) {
				continue
			}
			for _, d := range t.disciplines {
				for range g.between(1, 2) {
					g.addSlot(t, s, d)
				}
			}
		}
	}
}

func (g *generator) addSlot(t *person, s *school, d gid.DisciplineID) {
	var rooms []*room
	for _, r := range s.rooms {
		if slices.Contains(r.disciplines, d) {
			rooms = append(rooms, r)
		}
	}
	for range 50 {
		sl := &slot{teacher: t, room: one(g, rooms), discipline: d, weekday: time.Weekday(g.between(1, 5))}
		if g.chance(10) {
			sl.weekday = time.Saturday
		}
		sl.start = g.between(8, 18) * 60
		sl.end = sl.start + []int{60, 90, 120, 180}[g.rng.IntN(4)]
		if !g.overlaps(sl) {
			sl.id = gid.AvailabilitySlotID(g.uuid())
			g.schedule = append(g.schedule, sl)
			return
		}
	}
}

func (g *generator) overlaps(n *slot) bool {
	for _, o := range g.schedule {
		if o.teacher == n.teacher && o.weekday == n.weekday && n.start < o.end && o.start < n.end {
			return true
		}
	}
	return false
}

// localDate returns midnight of t's day in loc.
func localDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// at returns the instant minute minutes after midnight of the local day.
func at(localDay time.Time, minute int) time.Time {
	y, m, d := localDay.Date()
	return time.Date(y, m, d, 0, minute, 0, 0, localDay.Location()).UTC()
}

// inService reports whether t falls in the school's service hours.
func (s *school) inService(t time.Time) bool {
	l := t.In(s.loc)
	m := l.Hour()*60 + l.Minute()
	for _, w := range s.hours {
		if time.Weekday(w.Weekday) == l.Weekday() && w.StartMinute <= m && m < w.EndMinute {
			return true
		}
	}
	return false
}

// nextService returns the start of the first service window after t.
func (s *school) nextService(t time.Time) time.Time {
	d := localDate(t, s.loc)
	for range 8 {
		best := -1
		for _, w := range s.hours {
			start := at(d, w.StartMinute)
			if time.Weekday(w.Weekday) == d.Weekday() && start.After(t) && (best < 0 || w.StartMinute < best) {
				best = w.StartMinute
			}
		}
		if best >= 0 {
			return at(d, best)
		}
		d = d.AddDate(0, 0, 1)
	}
	return t // no service hours at all
}

// asciiLetters lowercases s and keeps only a–z, folding Portuguese accents.
func asciiLetters(s string) string {
	s = accentFolder.Replace(strings.ToLower(s))
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, s)
}

var accentFolder = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ã", "a", "é", "e", "ê", "e", "í", "i",
	"ó", "o", "ô", "o", "õ", "o", "ú", "u", "ü", "u", "ç", "c",
)

func lastWord(s string) string {
	f := strings.Fields(s)
	return f[len(f)-1]
}

func ptr[T any](v T) *T { return &v }

package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/bookingroom"
	"github.com/stift/stift-reports/report"
)

// QuestionStatsBucket is a bucket of questionStats, with its nodes.
type QuestionStatsBucket struct {
	report.QuestionStatsBucket
	nodes *nodes
}

func (b *QuestionStatsBucket) School(ctx context.Context) (*ent.School, error) {
	return b.nodes.school.getOptional(ctx, b.SchoolID)
}
func (b *QuestionStatsBucket) Group(ctx context.Context) (*ent.Group, error) {
	return b.nodes.group.getOptional(ctx, b.GroupID)
}
func (b *QuestionStatsBucket) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return b.nodes.discipline.getOptional(ctx, b.DisciplineID)
}
func (b *QuestionStatsBucket) Subject(ctx context.Context) (*ent.Subject, error) {
	return b.nodes.subject.getOptional(ctx, b.SubjectID)
}
func (b *QuestionStatsBucket) Teacher(ctx context.Context) (*ent.User, error) {
	return b.nodes.teacher.getOptional(ctx, b.TeacherID)
}

// BookingStatsBucket is a bucket of bookingStats, with its nodes.
type BookingStatsBucket struct {
	report.BookingStatsBucket
	nodes *nodes
}

func (b *BookingStatsBucket) School(ctx context.Context) (*ent.School, error) {
	return b.nodes.school.getOptional(ctx, b.SchoolID)
}
func (b *BookingStatsBucket) Group(ctx context.Context) (*ent.Group, error) {
	return b.nodes.group.getOptional(ctx, b.GroupID)
}
func (b *BookingStatsBucket) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return b.nodes.discipline.getOptional(ctx, b.DisciplineID)
}
func (b *BookingStatsBucket) Teacher(ctx context.Context) (*ent.User, error) {
	return b.nodes.teacher.getOptional(ctx, b.TeacherID)
}
func (b *BookingStatsBucket) BookingRoom(ctx context.Context) (*ent.BookingRoom, error) {
	return b.nodes.bookingRoom.getOptional(ctx, b.BookingRoomID)
}
func (b *BookingStatsBucket) Modal() *bookingroom.Modal { return b.BookingStatsBucket.Modal }

// BookingStatusCount is a bar of a bucket's count by status.
type BookingStatusCount struct {
	Status report.BookingStatus
	Label  string
	Count  int
}

// CountByStatus lists every status with its count, in the statuses' order.
func (b *BookingStatsBucket) CountByStatus() []*BookingStatusCount {
	out := make([]*BookingStatusCount, len(report.BookingStatuses))
	for i, s := range report.BookingStatuses {
		out[i] = &BookingStatusCount{Status: s, Label: s.Label(), Count: b.BookingStatsBucket.CountByStatus[s]}
	}
	return out
}

// statsOptions reads the time bucket and time zone arguments.
func statsOptions(bucket *TimeBucket, timezone *string) (report.StatsOptions, error) {
	var opts report.StatsOptions
	if bucket != nil {
		opts.TimeBucket = report.TimeBucket(*bucket)
	}
	if timezone != nil {
		loc, err := report.LoadTimezone(*timezone)
		if err != nil {
			return opts, err
		}
		opts.Location = loc
	}
	return opts, nil
}

func (r *Resolver) questionStats(ctx context.Context, in report.QuestionsInput, groupBy []QuestionDimension, bucket *TimeBucket, timezone *string) ([]*QuestionStatsBucket, error) {
	p, d, err := r.start(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := statsOptions(bucket, timezone)
	if err != nil {
		return nil, err
	}
	opts.OmitPercentiles = !selects(ctx, "p50ResponseMinutes", "p90ResponseMinutes")
	dims := make([]report.QuestionDimension, len(groupBy))
	for i, d := range groupBy {
		dims[i] = report.QuestionDimension(d)
	}
	seq, err := report.QuestionStats(ctx, d, p, in, dims, opts)
	if err != nil {
		return nil, err
	}
	ns := newNodes(d.Client)
	out := []*QuestionStatsBucket{}
	for b, err := range seq {
		if err != nil {
			return nil, err
		}
		ns.school.noteOptional(b.SchoolID)
		ns.group.noteOptional(b.GroupID)
		ns.discipline.noteOptional(b.DisciplineID)
		ns.subject.noteOptional(b.SubjectID)
		ns.teacher.noteOptional(b.TeacherID)
		out = append(out, &QuestionStatsBucket{QuestionStatsBucket: b, nodes: ns})
	}
	return out, nil
}

func (r *Resolver) bookingStats(ctx context.Context, in report.BookingsInput, groupBy []BookingDimension, bucket *TimeBucket, timezone *string) ([]*BookingStatsBucket, error) {
	p, d, err := r.start(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := statsOptions(bucket, timezone)
	if err != nil {
		return nil, err
	}
	dims := make([]report.BookingDimension, len(groupBy))
	for i, d := range groupBy {
		dims[i] = report.BookingDimension(d)
	}
	seq, err := report.BookingStats(ctx, d, p, in, dims, opts, r.Now())
	if err != nil {
		return nil, err
	}
	ns := newNodes(d.Client)
	out := []*BookingStatsBucket{}
	for b, err := range seq {
		if err != nil {
			return nil, err
		}
		ns.school.noteOptional(b.SchoolID)
		ns.group.noteOptional(b.GroupID)
		ns.discipline.noteOptional(b.DisciplineID)
		ns.teacher.noteOptional(b.TeacherID)
		ns.bookingRoom.noteOptional(b.BookingRoomID)
		out = append(out, &BookingStatsBucket{BookingStatsBucket: b, nodes: ns})
	}
	return out, nil
}

// selects reports whether the field being resolved selects any of the
// named sub-fields (through fragments too).
func selects(ctx context.Context, names ...string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if slices.Contains(names, f.Name) {
			return true
		}
	}
	return false
}

package graph

import (
	"context"
	"time"

	"github.com/stift/stift-reports/apperr"
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
	return optional(ctx, b.nodes.schools, b.SchoolID)
}
func (b *QuestionStatsBucket) Group(ctx context.Context) (*ent.Group, error) {
	return optional(ctx, b.nodes.groups, b.GroupID)
}
func (b *QuestionStatsBucket) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return optional(ctx, b.nodes.disciplines, b.DisciplineID)
}
func (b *QuestionStatsBucket) Subject(ctx context.Context) (*ent.Subject, error) {
	return optional(ctx, b.nodes.subjects, b.SubjectID)
}
func (b *QuestionStatsBucket) Teacher(ctx context.Context) (*ent.User, error) {
	return optional(ctx, b.nodes.users, b.TeacherID)
}

// BookingStatsBucket is a bucket of bookingStats, with its nodes.
type BookingStatsBucket struct {
	report.BookingStatsBucket
	nodes *nodes
}

func (b *BookingStatsBucket) School(ctx context.Context) (*ent.School, error) {
	return optional(ctx, b.nodes.schools, b.SchoolID)
}
func (b *BookingStatsBucket) Group(ctx context.Context) (*ent.Group, error) {
	return optional(ctx, b.nodes.groups, b.GroupID)
}
func (b *BookingStatsBucket) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return optional(ctx, b.nodes.disciplines, b.DisciplineID)
}
func (b *BookingStatsBucket) Teacher(ctx context.Context) (*ent.User, error) {
	return optional(ctx, b.nodes.users, b.TeacherID)
}
func (b *BookingStatsBucket) BookingRoom(ctx context.Context) (*ent.BookingRoom, error) {
	return optional(ctx, b.nodes.rooms, b.BookingRoomID)
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
		loc, err := time.LoadLocation(*timezone)
		if err != nil || *timezone == "" || *timezone == "Local" {
			return opts, apperr.InvalidField("timezone", "Unknown time zone %q.", *timezone)
		}
		opts.Location = loc
	}
	return opts, nil
}

func (r *Resolver) questionStats(ctx context.Context, in report.QuestionsInput, groupBy []QuestionDimension, bucket *TimeBucket, timezone *string) ([]*QuestionStatsBucket, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := statsOptions(bucket, timezone)
	if err != nil {
		return nil, err
	}
	dims := make([]report.QuestionDimension, len(groupBy))
	for i, d := range groupBy {
		dims[i] = report.QuestionDimension(d)
	}
	seq, err := report.QuestionStats(ctx, r.DB, p, in, dims, opts)
	if err != nil {
		return nil, err
	}
	ns := newNodes(r.DB.Client)
	out := []*QuestionStatsBucket{}
	for b, err := range seq {
		if err != nil {
			return nil, err
		}
		addOptional(ns.schools, b.SchoolID)
		addOptional(ns.groups, b.GroupID)
		addOptional(ns.disciplines, b.DisciplineID)
		addOptional(ns.subjects, b.SubjectID)
		addOptional(ns.users, b.TeacherID)
		out = append(out, &QuestionStatsBucket{QuestionStatsBucket: b, nodes: ns})
	}
	return out, nil
}

func (r *Resolver) bookingStats(ctx context.Context, in report.BookingsInput, groupBy []BookingDimension, bucket *TimeBucket, timezone *string) ([]*BookingStatsBucket, error) {
	p, err := principal(ctx)
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
	seq, err := report.BookingStats(ctx, r.DB, p, in, dims, opts, r.Now())
	if err != nil {
		return nil, err
	}
	ns := newNodes(r.DB.Client)
	out := []*BookingStatsBucket{}
	for b, err := range seq {
		if err != nil {
			return nil, err
		}
		addOptional(ns.schools, b.SchoolID)
		addOptional(ns.groups, b.GroupID)
		addOptional(ns.disciplines, b.DisciplineID)
		addOptional(ns.users, b.TeacherID)
		addOptional(ns.rooms, b.BookingRoomID)
		out = append(out, &BookingStatsBucket{BookingStatsBucket: b, nodes: ns})
	}
	return out, nil
}

// addOptional notes a nullable id for loading.
func addOptional[K comparable, V any](b *batch[K, V], id *K) {
	if id != nil {
		b.add(*id)
	}
}

package report_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/report"
)

// benchScale is the size of the platform the report benchmarks read:
// 10,000 questions and 3,000 bookings.
const benchScale = 0.01

// BenchmarkQuestionsCSV is the REST questions report as CSV without HTTP:
// the query, the scan of every row, the legacy rendering and the encoder,
// over the whole year of every group. It reports rows/s.
func BenchmarkQuestionsCSV(b *testing.B) {
	testdb.BenchEach(b, benchScale, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		in := report.QuestionsInput{From: allFrom, To: allTo}
		n, err := report.CountQuestions(ctx, d, everything, in)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			seq, err := report.Questions(ctx, d, everything, in)
			if err != nil {
				b.Fatal(err)
			}
			rows := report.LegacyRows(seq, func(q *report.QuestionRow) []any { return q.Legacy(report.DefaultPortalURL) })
			if err := export.WriteCSV(io.Discard, export.QuestionColumns, rows); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(b.Elapsed())/float64(n*b.N), "ns/row")
	})
}

// benchQuestion and benchBooking are typical rows: answered, rated, with a
// teacher and a subject; a booking that took place, in São Paulo's zone.
var (
	benchQuestion, benchBooking = func() (report.QuestionRow, report.BookingRow) {
		created := time.Date(2026, 3, 9, 14, 7, 31, 123e6, time.UTC)
		answered := created.Add(47 * time.Minute)
		teacher, subject, rating, understood := gid.UserID{2}, gid.SubjectID(4), 5, true
		answer, comment := "Veja a resolução passo a passo.", "Obrigado!"
		loc, err := time.LoadLocation("America/Sao_Paulo")
		if err != nil {
			loc = time.FixedZone("-03", -3*3600)
		}
		q := report.QuestionRow{
			ID: gid.QuestionID{1}, SchoolName: "Colégio Horizonte", Location: loc, GroupName: "3º ano A",
			StudentID: gid.UserID{3}, StudentFirstName: "Ana", StudentLastName: "Souza", StudentEmail: "ana@example.com",
			TeacherID: &teacher, TeacherFirstName: "Carlos", TeacherLastName: "Lima", TeacherEmail: "carlos@example.com",
			DisciplineName: "Matemática", SubjectID: &subject, SubjectName: "Álgebra",
			CreatedAt: created, AnsweredAt: &answered, Status: report.QuestionAnswered,
			Description: "Como resolvo uma equação do segundo grau?", AnswerDescription: &answer,
			AnswerRating: &rating, AnswerUnderstood: &understood, AnswerComment: &comment, HasSeenAnswer: true,
		}
		start, end, score := created.Add(24*time.Hour), created.Add(24*time.Hour+52*time.Minute), 4.5
		b := report.BookingRow{
			ID: gid.BookingID{5}, SchoolName: "Colégio Horizonte", Location: loc, CreatedAt: created,
			ScheduledFor: &start, MeetingStartedAt: &start, MeetingEndedAt: &end,
			StudentExternalID: "A-1029", StudentFirstName: "Ana", StudentLastName: "Souza", StudentEmail: "ana@example.com",
			TeacherID: &teacher, TeacherFirstName: "Carlos", TeacherLastName: "Lima", TeacherEmail: "carlos@example.com",
			GroupName: "3º ano A", DisciplineName: "Matemática", BookingRoomName: "Sala 1", BookingRoomModal: "SCHEDULED",
			RatingByStudent: &score, RatingByTeacher: &score, Status: report.BookingPresent,
		}
		return q, b
	}()
)

// BenchmarkQuestionLegacy renders one question as the REST report shows it
// (status label, times in UTC with milliseconds, names, link): one op is
// one row, so allocs/op is allocations per row.
func BenchmarkQuestionLegacy(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = benchQuestion.Legacy(report.DefaultPortalURL)
	}
}

// BenchmarkBookingLegacy renders one booking: status label, times in the
// school's zone, duration, ratings with one decimal.
func BenchmarkBookingLegacy(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = benchBooking.Legacy()
	}
}

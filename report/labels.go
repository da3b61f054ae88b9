package report

import (
	"io"
	"strconv"
	"time"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/ent/bookingroom"
)

// QuestionStatus is the derived status of a question.
type QuestionStatus string

// The question statuses, first match wins: cancelled; the reply answered;
// a reply waiting; answered; otherwise pending.
const (
	QuestionCancelled     QuestionStatus = "CANCELLED"
	QuestionReplyAnswered QuestionStatus = "REPLY_ANSWERED"
	QuestionReplyPending  QuestionStatus = "REPLY_PENDING"
	QuestionAnswered      QuestionStatus = "ANSWERED"
	QuestionPending       QuestionStatus = "PENDING"
)

// QuestionStatuses are all question statuses.
var QuestionStatuses = []QuestionStatus{QuestionPending, QuestionAnswered, QuestionReplyPending, QuestionReplyAnswered, QuestionCancelled}

// questionLabels are the legacy API's names of the question statuses.
var questionLabels = map[QuestionStatus]string{
	QuestionCancelled:     "Cancelada",
	QuestionReplyAnswered: "Réplica respondida",
	QuestionReplyPending:  "Réplica pendente",
	QuestionAnswered:      "Respondida",
	QuestionPending:       "Pendente",
}

// Label returns the Portuguese name of the status.
func (s QuestionStatus) Label() string { return questionLabels[s] }

// BookingStatus is the derived status of a booking.
type BookingStatus string

// The booking statuses; see bookingStatusSQL for the rules.
const (
	BookingPresent               BookingStatus = "PRESENT"
	BookingNoShow                BookingStatus = "NO_SHOW"
	BookingOutsideScheduleCancel BookingStatus = "OUTSIDE_SCHEDULE_CANCEL"
	BookingInsideScheduleCancel  BookingStatus = "INSIDE_SCHEDULE_CANCEL"
	BookingCancelled             BookingStatus = "CANCELLED"
	BookingPending               BookingStatus = "PENDING"
	BookingQueue                 BookingStatus = "QUEUE"
	BookingLeftQueue             BookingStatus = "LEFT_QUEUE"
	BookingNotRealized           BookingStatus = "NOT_REALIZED"
)

// BookingStatuses are all booking statuses.
var BookingStatuses = []BookingStatus{
	BookingPresent, BookingNoShow, BookingOutsideScheduleCancel, BookingInsideScheduleCancel,
	BookingCancelled, BookingPending, BookingQueue, BookingLeftQueue, BookingNotRealized,
}

var bookingLabels = map[BookingStatus]string{
	BookingPresent:               "Presente",
	BookingNoShow:                "Faltou",
	BookingOutsideScheduleCancel: "Cancelado fora do prazo",
	BookingInsideScheduleCancel:  "Cancelado dentro do prazo",
	BookingCancelled:             "Cancelado",
	BookingPending:               "Pendente",
	BookingQueue:                 "Na fila",
	BookingLeftQueue:             "Saiu da fila",
	BookingNotRealized:           "Não realizado",
}

// Label returns the Portuguese name of the status.
func (s BookingStatus) Label() string { return bookingLabels[s] }

// modalLabels are the legacy API's names of the booking room modals.
var modalLabels = map[bookingroom.Modal]string{
	bookingroom.ModalONLINE:     "Online",
	bookingroom.ModalPRESENCIAL: "Presencial",
	bookingroom.ModalHIBRIDO:    "Híbrido",
}

// ModalLabel returns the Portuguese name of a booking room's modal.
func ModalLabel(m bookingroom.Modal) string { return modalLabels[m] }

// anonymousName stands for the student of an anonymous question the token
// may not reveal.
const anonymousName = "Anônimo"

// The legacy formats of dates and times.
const (
	isoMillis    = "2006-01-02T15:04:05.000Z" // questions, in UTC
	localMinutes = "02/01/2006 15:04"         // bookings, in the school's zone
	localDay     = "02/01/2006"               // groups usage period
	isoDay       = "2006-01-02"               // groups usage users' dates
)

// MarshalGQL writes the status as a GraphQL enum value.
func (s QuestionStatus) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *QuestionStatus) UnmarshalGQL(v any) error {
	str, _ := v.(string)
	if _, ok := questionLabels[QuestionStatus(str)]; !ok {
		return apperr.Errorf(apperr.Invalid, "%v is not a question status.", v)
	}
	*s = QuestionStatus(str)
	return nil
}

// MarshalGQL writes the status as a GraphQL enum value.
func (s BookingStatus) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *BookingStatus) UnmarshalGQL(v any) error {
	str, _ := v.(string)
	if _, ok := bookingLabels[BookingStatus(str)]; !ok {
		return apperr.Errorf(apperr.Invalid, "%v is not a booking status.", v)
	}
	*s = BookingStatus(str)
	return nil
}

// formatTime is t.Format(layout). The two layouts written for every row of
// the questions and bookings reports are formatted by hand, which takes a
// fraction of the time of the general formatter; other layouts, and years
// outside 0–9999, go to t.Format.
func formatTime(t time.Time, layout string) string {
	y, mo, d := t.Date()
	if y < 0 || y > 9999 || (layout != isoMillis && layout != localMinutes) {
		return t.Format(layout)
	}
	h, mi, s := t.Clock()
	var b [24]byte
	if layout == isoMillis {
		digits(b[0:4], y)
		b[4] = '-'
		digits(b[5:7], int(mo))
		b[7] = '-'
		digits(b[8:10], d)
		b[10] = 'T'
		digits(b[11:13], h)
		b[13] = ':'
		digits(b[14:16], mi)
		b[16] = ':'
		digits(b[17:19], s)
		b[19] = '.'
		digits(b[20:23], t.Nanosecond()/1e6)
		b[23] = 'Z'
		return string(b[:24])
	}
	digits(b[0:2], d)
	b[2] = '/'
	digits(b[3:5], int(mo))
	b[5] = '/'
	digits(b[6:10], y)
	b[10] = ' '
	digits(b[11:13], h)
	b[13] = ':'
	digits(b[14:16], mi)
	return string(b[:16])
}

// digits writes n into b as len(b) decimal digits, zero-padded.
func digits(b []byte, n int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
}

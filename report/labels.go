package report

import (
	"io"
	"strconv"

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

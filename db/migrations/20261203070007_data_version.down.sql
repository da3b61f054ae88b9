-- reverse: create table "data_version", its function and triggers
DROP TRIGGER "data_version" ON "availability_slots";
DROP TRIGGER "data_version" ON "booking_room_disciplines";
DROP TRIGGER "data_version" ON "booking_rooms";
DROP TRIGGER "data_version" ON "bookings";
DROP TRIGGER "data_version" ON "disciplines";
DROP TRIGGER "data_version" ON "group_students";
DROP TRIGGER "data_version" ON "group_teachers";
DROP TRIGGER "data_version" ON "groups";
DROP TRIGGER "data_version" ON "nps_answers";
DROP TRIGGER "data_version" ON "questions";
DROP TRIGGER "data_version" ON "schools";
DROP TRIGGER "data_version" ON "subjects";
DROP TRIGGER "data_version" ON "user_disciplines";
DROP TRIGGER "data_version" ON "users";
DROP FUNCTION "data_version_bump"();
DROP TABLE "data_version";

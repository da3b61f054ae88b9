-- reverse: create collation "stift_pt_br"
DROP COLLATION "stift_pt_br";

-- The dashboard's summary cells (reporting/cells.py): how many survivors registered on a day or
-- in a month, in a county or every county ('*'), on a team or every team ('*'), have each
-- (dim, value). Maintained with a survivor's facts, in the same transaction; rebuilt with them.

CREATE TABLE dashboard_cells (
    county text    NOT NULL,
    team   text    NOT NULL,
    grain  text    NOT NULL CHECK (grain IN ('d', 'm')),
    period date    NOT NULL,
    dim    text    NOT NULL,
    value  text    NOT NULL,
    n      integer NOT NULL,
    PRIMARY KEY (county, team, grain, period, dim, value)
);

package io.harbormaster.storage.h2;

import java.sql.Connection;
import java.sql.SQLException;
import org.h2.api.Trigger;

/** H2 trigger on the audit tables: refuses every UPDATE and DELETE, so the log can only grow. */
public final class AppendOnlyTrigger implements Trigger {
    private String table = "the audit log";

    @Override
    public void init(
            Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type) {
        this.table = tableName;
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        String op = newRow == null ? "DELETE" : "UPDATE";
        throw new SQLException(
                "the audit log is append-only: " + op + " on " + table
                        + " is refused (append a new entry that corrects or explains the earlier one)",
                "55000");
    }
}

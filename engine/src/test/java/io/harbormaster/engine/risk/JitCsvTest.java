package io.harbormaster.engine.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class JitCsvTest {
    static TrainingData read(String csv) throws IOException {
        return JitCsv.read(new BufferedReader(new StringReader(csv)), "t.csv");
    }

    @Test
    void apacheJitColumnsAreReadUnderTheirCanonicalNamesAndLtIsReportedAbsent() throws IOException {
        var d = read(SyntheticChanges.csv(10, 1));
        assertEquals(13, d.metrics().size());
        assertFalse(d.metrics().contains(JitMetric.LT));
        assertTrue(
                d.notes().contains("columns absent, so left out of the model: lt"),
                d.notes().toString());
        assertTrue(d.notes().contains("column ent read as entropy"));
        assertTrue(d.notes().contains("column aexp read as exp"));
    }

    @Test
    void aFileThatIsNotUtf8TextSaysSoInWords(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        // before: "cannot read x.csv: Input length = 1"
        var file = java.nio.file.Files.write(dir.resolve("x.csv"), new byte[] {0, (byte) 0xff, (byte) 0xfe, 0x0a});
        var e = assertThrows(DatasetError.class, () -> JitCsv.read(file));
        assertTrue(e.getMessage().contains("is not UTF-8 text"), e.getMessage());
        assertFalse(e.getMessage().contains("Input length"), e.getMessage());
    }

    @Test
    void rowsArePutInTimeOrderBeforeAnythingElse() throws IOException {
        var d = read("""
                bug,date,la,entrophy
                1,2020-03-01,30,0.5
                0,2019-01-01T10:00:00Z,10,0.1
                true,1200000000,20,0.2
                """);
        int la = d.metrics().indexOf(JitMetric.LA);
        assertEquals(20, d.row(0)[la]); // 2008, epoch seconds
        assertEquals(10, d.row(1)[la]); // 2019, ISO instant
        assertEquals(30, d.row(2)[la]); // 2020, ISO date
        assertFalse(d.buggy(1));
        assertTrue(d.buggy(0) && d.buggy(2));
    }

    @Test
    void aFileWithoutALabelSaysWhatToNameIt() {
        var e = assertThrows(DatasetError.class, () -> read("date,la\n1,2\n"));
        assertEquals("t.csv has no label column: name it buggy or bug (values true/false or 1/0)", e.getMessage());
    }

    @Test
    void aBadCellNamesItsLineAndColumn() {
        var e = assertThrows(DatasetError.class, () -> read("buggy,date,la\ntrue,1,2\nfalse,2,lots\n"));
        assertEquals("t.csv line 3, column la: 'lots' is not a number", e.getMessage());
    }

    @Test
    void aLabelThatIsNotABooleanIsRefused() {
        var e = assertThrows(DatasetError.class, () -> read("buggy,date,la\nyes,1,2\n"));
        assertEquals("t.csv line 2, column buggy: 'yes' is not true/false or 1/0", e.getMessage());
    }

    @Test
    void quotedCellsMayHoldCommas() {
        assertEquals(java.util.List.of("a,b", "c\"d", ""), JitCsv.split("\"a,b\",\"c\"\"d\","));
    }
}

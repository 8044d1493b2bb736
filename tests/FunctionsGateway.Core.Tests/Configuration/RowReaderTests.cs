using Azure.Data.Tables;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>
/// How a column is read as an operator may have typed it in Storage Explorer: with its own type
/// (Int32, Int64, Double, Boolean) or as a String holding the value.
/// </summary>
public sealed class RowReaderTests
{
    private const string Column = "Weight";

    [Theory]
    [InlineData(5)]
    [InlineData(5L)]
    [InlineData(5.0)]
    [InlineData("5")]
    [InlineData(" 5 ")]
    [InlineData("+5")]
    public void Int_WholeNumberStoredAsAnyNumericTypeOrString_ReadsTheNumber(object stored)
    {
        var row = Reader(stored);

        var value = row.Int(Column, defaultValue: 1, min: 0, max: 1000);

        Assert.Equal(5, value);
        Assert.Empty(row.Problems);
    }

    [Theory]
    [InlineData(-3)]
    [InlineData("-3")]
    public void Int_NegativeNumberWithinRange_ReadsTheNumber(object stored)
    {
        var row = Reader(stored);

        var value = row.Int(Column, defaultValue: 1, min: -10, max: 10);

        Assert.Equal(-3, value);
        Assert.Empty(row.Problems);
    }

    [Fact]
    public void Int_ColumnAbsent_ReturnsDefaultWithoutProblem()
    {
        var row = new RowReader("Backends", new TableEntity("pool", "a"));

        var value = row.Int(Column, defaultValue: 7, min: 0, max: 1000);

        Assert.Equal(7, value);
        Assert.Empty(row.Problems);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Int_EmptyOrBlankString_ReturnsDefaultWithoutProblem(string stored)
    {
        var row = Reader(stored);

        var value = row.Int(Column, defaultValue: 7, min: 0, max: 1000);

        Assert.Equal(7, value);
        Assert.Empty(row.Problems);
    }

    [Fact]
    public void Int_TextThatIsNotANumber_ReportsErrorNamingTheValueAndRange()
    {
        var row = Reader("abc");

        var value = row.Int(Column, defaultValue: 1, min: 0, max: 1000);

        Assert.Equal(1, value);
        var problem = Assert.Single(row.Problems);
        Assert.Equal(Column, problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal("'abc' is not a whole number; write a number from 0 to 1000", problem.Message);
    }

    [Fact]
    public void Int_DecimalTextSuchAs2Point5_ReportsError()
    {
        var row = Reader("2.5");

        row.Int(Column, defaultValue: 1, min: 0, max: 1000);

        var problem = Assert.Single(row.Problems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Contains("'2.5' is not a whole number", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Int_DoubleWithFraction_ReportsErrorNamingTheValueAndItsType()
    {
        var row = Reader(2.5);

        row.Int(Column, defaultValue: 1, min: 0, max: 1000);

        var problem = Assert.Single(row.Problems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal("2.5 (Double) is not a whole number; write a number from 0 to 1000", problem.Message);
    }

    [Fact]
    public void Int_DateTimeInANumberColumn_ReportsErrorSayingItIsADateTime()
    {
        var row = Reader(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

        row.Int(Column, defaultValue: 1, min: 0, max: 1000);

        var problem = Assert.Single(row.Problems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.StartsWith("a DateTime (", problem.Message, StringComparison.Ordinal);
        Assert.Contains("2025", problem.Message, StringComparison.Ordinal);
        Assert.EndsWith("is not a whole number; write a number from 0 to 1000", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Int_BooleanInANumberColumn_ReportsError()
    {
        var row = Reader(true);

        row.Int(Column, defaultValue: 1, min: 0, max: 1000);

        var problem = Assert.Single(row.Problems);
        Assert.Equal("true (Boolean) is not a whole number; write a number from 0 to 1000", problem.Message);
    }

    [Theory]
    [InlineData(-1, "-1 is out of range; write a number from 0 to 1000")]
    [InlineData(1001, "1001 is out of range; write a number from 0 to 1000")]
    [InlineData(5_000_000_000L, "5000000000 is out of range; write a number from 0 to 1000")]
    [InlineData("1001", "1001 is out of range; write a number from 0 to 1000")]
    public void Int_OutOfRange_ReportsErrorNamingTheValueAndRange(object stored, string expectedMessage)
    {
        var row = Reader(stored);

        var value = row.Int(Column, defaultValue: 1, min: 0, max: 1000);

        Assert.Equal(1, value);
        var problem = Assert.Single(row.Problems);
        Assert.Equal(Column, problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal(expectedMessage, problem.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public void Int_RangeBoundaries_AreAccepted(int stored)
    {
        var row = Reader(stored);

        var value = row.Int(Column, defaultValue: 1, min: 0, max: 1000);

        Assert.Equal(stored, value);
        Assert.Empty(row.Problems);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("True", true)]
    [InlineData("FALSE", false)]
    [InlineData(" false ", false)]
    public void Bool_BooleanOrTrueFalseText_ReadsTheValue(object stored, bool expected)
    {
        var row = Reader(stored);

        var value = row.Bool(Column, defaultValue: !expected);

        Assert.Equal(expected, value);
        Assert.Empty(row.Problems);
    }

    [Fact]
    public void Bool_ColumnAbsent_ReturnsDefaultWithoutProblem()
    {
        var row = new RowReader("Backends", new TableEntity("pool", "a"));

        var value = row.Bool(Column, defaultValue: true);

        Assert.True(value);
        Assert.Empty(row.Problems);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Bool_EmptyOrBlankString_ReturnsDefaultWithoutProblem(string stored)
    {
        var row = Reader(stored);

        var value = row.Bool(Column, defaultValue: true);

        Assert.True(value);
        Assert.Empty(row.Problems);
    }

    [Theory]
    [InlineData("yes", "'yes' is not a boolean; write true or false")]
    [InlineData("1", "'1' is not a boolean; write true or false")]
    [InlineData(1, "1 (Int32) is not a boolean; write true or false")]
    public void Bool_AnythingButTrueOrFalse_ReportsErrorAndReturnsDefault(object stored, string expectedMessage)
    {
        var row = Reader(stored);

        var value = row.Bool(Column, defaultValue: true);

        Assert.True(value);
        var problem = Assert.Single(row.Problems);
        Assert.Equal(Column, problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal(expectedMessage, problem.Message);
    }

    [Fact]
    public void String_Padded_ReturnsTrimmedText()
    {
        var row = Reader("  https://a.example  ");

        var value = row.String(Column);

        Assert.Equal("https://a.example", value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void String_EmptyOrBlank_ReturnsNullWithoutProblem(string stored)
    {
        var row = Reader(stored);

        var value = row.String(Column);

        Assert.Null(value);
        Assert.Empty(row.Problems);
    }

    [Fact]
    public void String_StoredAsNumber_ReportsErrorAskingForAString()
    {
        var row = Reader(42);

        var value = row.String(Column);

        Assert.Null(value);
        var problem = Assert.Single(row.Problems);
        Assert.Equal(Column, problem.Column);
        Assert.Equal("is stored as 42 (Int32); store it as a String", problem.Message);
    }

    [Fact]
    public void List_CommaSeparatedWithSpaces_ReturnsTrimmedItemsInOrder()
    {
        var row = Reader(" GET , POST,put ");

        var items = row.List(Column, "method", "GET,POST");

        Assert.Equal(["GET", "POST", "put"], items.ToArray());
        Assert.Empty(row.Problems);
    }

    [Theory]
    [InlineData(" GET , ,POST ", "GET , ,POST")]
    [InlineData("GET,,POST", "GET,,POST")]
    [InlineData("GET,POST,", "GET,POST,")]
    [InlineData(",GET", ",GET")]
    [InlineData(",", ",")]
    public void List_EmptyItem_IsAnErrorNamingTheValueAndTheFix(string stored, string shown)
    {
        var row = Reader(stored);

        var items = row.List(Column, "method", "GET,POST");

        Assert.Empty(items);
        var problem = Assert.Single(row.Problems);
        Assert.Equal(Column, problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal($"'{shown}' has an empty entry; list methods separated by single commas, such as GET,POST", problem.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void List_ColumnBlank_ReturnsEmptyWithoutProblem(string stored)
    {
        var row = Reader(stored);

        var items = row.List(Column, "method", "GET,POST");

        Assert.Empty(items);
        Assert.Empty(row.Problems);
    }

    [Fact]
    public void List_ColumnAbsent_ReturnsEmpty()
    {
        var row = new RowReader("Routes", new TableEntity("public", "a"));

        var items = row.List(Column, "method", "GET,POST");

        Assert.Empty(items);
        Assert.Empty(row.Problems);
    }

    [Fact]
    public void List_StoredAsNumber_ReportsErrorAskingForAString()
    {
        var row = Reader(3);

        var items = row.List(Column, "method", "GET,POST");

        Assert.Empty(items);
        Assert.Equal("is stored as 3 (Int32); store it as a String", Assert.Single(row.Problems).Message);
    }

    [Theory]
    [InlineData("2027-01-31")]
    [InlineData(" 2027-01-31T00:00:00Z ")]
    [InlineData("2027-01-31T01:00:00+01:00")]
    public void Date_TextWithOrWithoutOffset_ReadsItAsUtcWhenNoneIsGiven(string stored)
    {
        var row = Reader(stored);

        var value = row.Date(Column);

        Assert.Equal(new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero), value);
        Assert.Empty(row.Problems);
    }

    [Fact]
    public void Date_StoredAsDateTime_ReadsIt()
    {
        var row = Reader(new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero));

        var value = row.Date(Column);

        Assert.Equal(new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Date_Blank_IsAbsentWithoutProblem(string stored)
    {
        var row = Reader(stored);

        var value = row.Date(Column);

        Assert.Null(value);
        Assert.Empty(row.Problems);
    }

    [Theory]
    [InlineData("next year", "'next year' is not a date; write one such as 2027-01-31T00:00:00Z")]
    [InlineData(2027, "2027 (Int32) is not a date; write one such as 2027-01-31T00:00:00Z")]
    [InlineData(true, "true (Boolean) is not a date; write one such as 2027-01-31T00:00:00Z")]
    public void Date_AnythingElse_ReportsErrorNamingTheValue(object stored, string expectedMessage)
    {
        var row = Reader(stored);

        var value = row.Date(Column);

        Assert.Null(value);
        var problem = Assert.Single(row.Problems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal(expectedMessage, problem.Message);
    }

    [Theory]
    [InlineData("x", true)]
    [InlineData(0, true)]
    [InlineData(false, true)]
    [InlineData("", false)]
    [InlineData("  ", false)]
    public void Has_ReportsWhetherAValueIsPresent(object stored, bool expected)
    {
        var row = Reader(stored);

        var has = row.Has(Column);

        Assert.Equal(expected, has);
    }

    [Fact]
    public void Has_ColumnAbsent_IsFalse()
    {
        var row = new RowReader("Routes", new TableEntity("public", "a"));

        var has = row.Has(Column);

        Assert.False(has);
    }

    [Fact]
    public void Row_IsTableAndKeys()
    {
        var row = new RowReader("Routes", new TableEntity("public", "orders"));

        var id = row.Row;

        Assert.Equal(new RowId("Routes", "public", "orders"), id);
    }

    [Theory]
    [InlineData("weight")]
    [InlineData("WEIGHT")]
    [InlineData("wEiGhT")]
    public void CheckColumnNames_ColumnDifferingOnlyByCase_IsAnErrorSayingWhatToRenameItTo(string written)
    {
        var row = new RowReader("Backends", new TableEntity("pool", "a") { [written] = 2 });

        row.CheckColumnNames(new HashSet<string>(StringComparer.Ordinal) { "Weight" });

        var problem = Assert.Single(row.Problems);
        Assert.Equal(written, problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal($"column names are case-sensitive: rename '{written}' to 'Weight'", problem.Message);
        Assert.True(row.HasErrors);
    }

    [Fact]
    public void CheckColumnNames_ColumnDifferingOnlyByCaseButBlank_IsStillAnError()
    {
        var row = new RowReader("Routes", new TableEntity("public", "a") { ["auth"] = string.Empty });

        row.CheckColumnNames(new HashSet<string>(StringComparer.Ordinal) { "Auth" });

        Assert.Equal("column names are case-sensitive: rename 'auth' to 'Auth'", Assert.Single(row.Problems).Message);
    }

    [Fact]
    public void CheckColumnNames_ExactName_IsNoProblem()
    {
        var row = new RowReader("Backends", new TableEntity("pool", "a") { ["Weight"] = 2 });

        row.CheckColumnNames(new HashSet<string>(StringComparer.Ordinal) { "Weight" });

        Assert.Empty(row.Problems);
    }

    [Fact]
    public void CheckColumnNames_UnrelatedName_WarnsWithoutHint()
    {
        var row = new RowReader("Backends", new TableEntity("pool", "a") { ["Colour"] = "blue" });

        row.CheckColumnNames(new HashSet<string>(StringComparer.Ordinal) { "Weight" });

        var problem = Assert.Single(row.Problems);
        Assert.Equal("Colour", problem.Column);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.Equal("is not a known column and is ignored; check its spelling against docs/routes.md", problem.Message);
    }

    [Fact]
    public void CheckColumnNames_ColumnsWrittenByTheTableService_AreNotReported()
    {
        var entity = new TableEntity("pool", "a")
        {
            ["Timestamp"] = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
            ["odata.etag"] = "W/\"datetime'2025-01-01T00%3A00%3A00Z'\"",
        };
        var row = new RowReader("Backends", entity);

        row.CheckColumnNames(new HashSet<string>(StringComparer.Ordinal) { "Weight" });

        Assert.Empty(row.Problems);
    }

    [Fact]
    public void ColumnsSetInAnyCase_FindsEverySpellingThatHoldsAValue()
    {
        var entity = new TableEntity("public", "a") { ["ratelimit"] = "100/1m", ["RETRIES"] = 3, ["CanaryPool"] = " ", ["Path"] = "/x" };
        var row = new RowReader("Routes", entity);

        var found = row.ColumnsSetInAnyCase(["RateLimit", "Retries", "CanaryPool"]);

        Assert.Equal(["RETRIES", "ratelimit"], found.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("auth", true)]
    [InlineData("AUTH", true)]
    [InlineData("Auth", false)]
    [InlineData("Author", false)]
    public void HasMisspeltByCase_TellsAnotherCaseFromTheExactName(string written, bool expected)
    {
        var row = new RowReader("Routes", new TableEntity("public", "a") { [written] = "jwt" });

        var misspelt = row.HasMisspeltByCase("Auth");

        Assert.Equal(expected, misspelt);
    }

    [Fact]
    public void HasErrors_OnlyWarnings_IsFalse()
    {
        var row = new RowReader("Backends", new TableEntity("pool", "a"));
        row.Warning("Weight", "looks odd");

        var hasErrors = row.HasErrors;

        Assert.False(hasErrors);
    }

    [Fact]
    public void HasErrors_AnError_IsTrue()
    {
        var row = new RowReader("Backends", new TableEntity("pool", "a"));
        row.Warning("Weight", "looks odd");
        row.Error("Url", "is wrong");

        var hasErrors = row.HasErrors;

        Assert.True(hasErrors);
    }

    private static RowReader Reader(object stored) =>
        new("Backends", new TableEntity("pool", "a") { [Column] = stored });
}

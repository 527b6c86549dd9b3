using Faultline.Domain.Validation;

namespace Faultline.Domain.Tests.Validation;

public sealed class ValidationErrorsTests
{
    private const string Required = "is required and must not be blank.";

    [Fact]
    public void New_errors_are_empty()
    {
        var errors = new ValidationErrors();

        Assert.True(errors.IsEmpty);
        Assert.Empty(errors.ToDictionary());
    }

    [Fact]
    public void Added_errors_are_kept_per_path_in_order()
    {
        var errors = new ValidationErrors()
            .Add("$.name", "first")
            .Add("$.members[2].email", "bad e-mail")
            .Add("$.name", "second");

        Assert.False(errors.IsEmpty);
        var dictionary = errors.ToDictionary();
        Assert.Equal(2, dictionary.Count);
        Assert.Equal(["first", "second"], dictionary["$.name"]);
        Assert.Equal(["bad e-mail"], dictionary["$.members[2].email"]);
    }

    [Fact]
    public void Paths_are_compared_ordinally_and_case_sensitively()
    {
        var dictionary = new ValidationErrors().Add("$.name", "a").Add("$.Name", "b").ToDictionary();

        Assert.Equal(2, dictionary.Count);
        Assert.Equal(["a"], dictionary["$.name"]);
        Assert.Equal(["b"], dictionary["$.Name"]);
        Assert.False(dictionary.ContainsKey("$.NAME"));
    }

    [Fact]
    public void ToDictionary_is_a_snapshot_that_later_additions_do_not_change()
    {
        var errors = new ValidationErrors().Add("$.name", "first");
        var snapshot = errors.ToDictionary();

        errors.Add("$.name", "second").Add("$.other", "x");

        Assert.Single(snapshot);
        Assert.Equal(["first"], snapshot["$.name"]);
        Assert.Equal(["first", "second"], errors.ToDictionary()["$.name"]);
    }

    [Fact]
    public void Every_helper_returns_the_same_instance_for_chaining()
    {
        var errors = new ValidationErrors();

        Assert.Same(errors, errors.Add("$.a", "x"));
        Assert.Same(errors, errors.RequireText("$.b", null, 10));
        Assert.Same(errors, errors.RequireText("$.c", "ok", 10));
        Assert.Same(errors, errors.OptionalText("$.d", new string('x', 11), 10));
        Assert.Same(errors, errors.OptionalText("$.e", null, 10));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\n ")]
    public void RequireText_rejects_missing_and_blank_values(string? value)
    {
        var errors = new ValidationErrors().RequireText("$.name", value, 100);

        Assert.Equal([Required], errors.ToDictionary()["$.name"]);
    }

    [Theory]
    [InlineData("a", 1)]
    [InlineData("payments", 100)]
    [InlineData("exactly-10", 10)]
    [InlineData("  padded  ", 10)]
    public void RequireText_accepts_non_blank_values_up_to_the_maximum_length(string value, int maxLength) =>
        Assert.True(new ValidationErrors().RequireText("$.name", value, maxLength).IsEmpty);

    [Theory]
    [InlineData("ab", 1)]
    [InlineData("eleven-char", 10)]
    public void RequireText_rejects_values_over_the_maximum_length(string value, int maxLength)
    {
        var errors = new ValidationErrors().RequireText("$.name", value, maxLength);

        Assert.Equal([$"must be at most {maxLength} characters."], errors.ToDictionary()["$.name"]);
    }

    [Fact]
    public void A_blank_over_long_value_is_reported_once_as_blank()
    {
        var errors = new ValidationErrors().RequireText("$.name", new string(' ', 50), 10);

        Assert.Equal([Required], errors.ToDictionary()["$.name"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("exactly-10")]
    public void OptionalText_accepts_absent_and_short_enough_values(string? value) =>
        Assert.True(new ValidationErrors().OptionalText("$.description", value, 10).IsEmpty);

    [Fact]
    public void OptionalText_rejects_values_over_the_maximum_length()
    {
        var errors = new ValidationErrors().OptionalText("$.description", "eleven-char", 10);

        Assert.Equal(["must be at most 10 characters."], errors.ToDictionary()["$.description"]);
    }

    [Fact]
    public void All_problems_of_an_input_are_collected_at_once()
    {
        var errors = new ValidationErrors()
            .RequireText("$.name", "", 10)
            .OptionalText("$.description", new string('d', 300), 200)
            .RequireText("$.members[0].email", "ok@example.com", 254)
            .RequireText("$.members[1].email", null, 254);

        var dictionary = errors.ToDictionary();
        Assert.Equal(["$.description", "$.members[1].email", "$.name"], dictionary.Keys.Order(StringComparer.Ordinal));
    }

    private sealed class Body(string? name) : IValidatable
    {
        public void Validate(ValidationErrors errors) => errors.RequireText("$.name", name, 5);
    }

    [Theory]
    [InlineData("ok", true)]
    [InlineData("", false)]
    [InlineData("toolong", false)]
    public void Validatable_bodies_report_into_the_given_collector(string name, bool valid)
    {
        var errors = new ValidationErrors();

        ((IValidatable)new Body(name)).Validate(errors);

        Assert.Equal(valid, errors.IsEmpty);
    }
}

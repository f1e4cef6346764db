using OrleansWorkflow.Incidents;

namespace OrleansWorkflow.Tests.Engine;

/// <summary>
/// The incident's steps in memory, read again while other calls of the incident go on: what memory holds and what
/// was stored elsewhere meet without losing a step or handing out a number twice.
/// </summary>
public sealed class IncidentStepsTests
{
    private static IncidentStep Step(string queue, string messageId, StepOutcome outcome = StepOutcome.Processing) =>
        new() { Queue = queue, MessageId = messageId, StartedAt = DateTimeOffset.UnixEpoch, Outcome = outcome };

    private static NumberedStep Row(int number, string queue, string messageId, StepOutcome outcome, int version = 1) =>
        new(number, Step(queue, messageId, outcome), version);

    [Fact]
    public void A_step_begun_while_the_steps_were_read_again_stays_and_keeps_its_number()
    {
        var steps = new IncidentSteps([], []);
        var first = steps.Add(Step("flaky", "one"));
        var begun = steps.Add(Step("record", "one"));

        // The read saw the first step as its handler stored it, not the step begun since.
        steps.Merge([Row(first.Number, "flaky", "one", StepOutcome.Completed)], pending: _ => false);
        var next = steps.Add(Step("flaky", "two"));

        Assert.Same(begun, steps.Latest("record", "one"));
        Assert.NotEqual(begun.Number, next.Number);
        Assert.Equal(["flaky", "record", "flaky"], steps.Snapshot().Select(s => s.Queue));
    }

    [Fact]
    public void A_step_its_handler_stored_is_taken_as_stored_so_its_end_is_not_recorded_again()
    {
        var steps = new IncidentSteps([], []);
        var step = steps.Add(Step("flaky", "one"));

        steps.Merge([Row(step.Number, "flaky", "one", StepOutcome.Completed)], pending: _ => false);

        Assert.Same(step, steps.Latest("flaky", "one"));
        Assert.True(step.Stored);
        Assert.Equal(StepOutcome.Completed, step.Step.Outcome);
        Assert.True(steps.Completed("flaky", "one"));
        Assert.Single(steps.Snapshot());
    }

    [Fact]
    public void A_change_waiting_for_its_write_is_kept_so_that_write_finds_the_row_changed()
    {
        var steps = new IncidentSteps([], []);
        var step = steps.Add(Step("flaky", "one"));
        step.Step.Outcome = StepOutcome.Failed;

        steps.Merge([Row(step.Number, "flaky", "one", StepOutcome.Completed)], pending: s => s == step);

        Assert.Equal(StepOutcome.Failed, step.Step.Outcome);
        Assert.False(step.Stored);
    }

    [Fact]
    public void A_row_as_new_as_memory_changes_nothing()
    {
        var steps = new IncidentSteps([], [Row(0, "flaky", "one", StepOutcome.Failed, version: 2)]);
        var step = steps.Latest("flaky", "one")!;

        steps.Merge([Row(0, "flaky", "one", StepOutcome.Completed, version: 1)], pending: _ => false);

        Assert.Equal(StepOutcome.Failed, step.Step.Outcome);
        Assert.Equal(2, step.Version);
    }

    [Fact]
    public void A_row_of_another_message_at_a_number_memory_handed_out_takes_it_and_memory_s_step_is_numbered_anew()
    {
        var steps = new IncidentSteps([], []);
        var mine = steps.Add(Step("flaky", "two"));
        var taken = mine.Number;

        // A handler holding that number from an earlier activation of the incident stored its step there.
        steps.Merge([Row(taken, "record", "one", StepOutcome.Completed)], pending: _ => false);

        Assert.NotEqual(taken, mine.Number);
        Assert.Same(mine, steps.Latest("flaky", "two"));
        Assert.Equal(taken, steps.Latest("record", "one")!.Number);
        Assert.Equal(["record", "flaky"], steps.Snapshot().Select(s => s.Queue));
        Assert.True(steps.Add(Step("flaky", "three")).Number > mine.Number);
    }

    [Fact]
    public void An_older_completed_row_of_a_message_counts_as_handled_under_its_newer_step()
    {
        var steps = new IncidentSteps([], [Row(0, "flaky", "one", StepOutcome.Completed)]);
        var retry = steps.Add(Step("flaky", "two"));
        var again = steps.Add(Step("flaky", "one"));
        again.Step.Outcome = StepOutcome.Failed;

        steps.Merge([Row(0, "flaky", "one", StepOutcome.Completed), Row(retry.Number, "flaky", "two", StepOutcome.Completed)], pending: _ => false);

        Assert.Same(again, steps.Latest("flaky", "one"));
        Assert.True(steps.Completed("flaky", "one"));
        Assert.Equal(3, steps.Snapshot().Count);
    }

    [Fact]
    public void Rows_stored_below_what_memory_holds_go_in_number_order()
    {
        var steps = new IncidentSteps([Step("earlier", "header", StepOutcome.Completed)], [Row(1, "flaky", "one", StepOutcome.Completed)]);
        var late = steps.Add(Step("flaky", "three"));

        steps.Merge([Row(1, "flaky", "one", StepOutcome.Completed), Row(late.Number + 1, "record", "one", StepOutcome.Completed)], pending: _ => false);
        var after = steps.Add(Step("flaky", "four"));

        Assert.Equal(["earlier", "flaky", "flaky", "record", "flaky"], steps.Snapshot().Select(s => s.Queue));
        Assert.Equal(late.Number + 2, after.Number);
    }
}

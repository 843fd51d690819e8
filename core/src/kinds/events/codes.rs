//! The events' code lists, stored as their codes. Never change or reuse a
//! shipped code: replicas of older builds keep it in their documents.

use crate::code_list::code_enum;

code_enum!(
    /// How urgent an event is.
    Urgency, fallback Normal, {
        /// Normal (一般).
        Normal = "normal", "一般";
        /// Urgent (紧急).
        Urgent = "urgent", "紧急";
    }
);

code_enum!(
    /// How an event came in (事件来源).
    EventSource, fallback ResidentRequest, {
        /// Found door-knocking (敲门扫楼).
        DoorKnocking = "door_knocking", "敲门扫楼";
        /// Found on patrol (巡逻).
        PatrolCheckin = "patrol_checkin", "巡逻";
        /// Reported by a building head (楼栋长).
        BuildingHead = "building_head", "楼栋长";
        /// A resident's request (居民诉求).
        ResidentRequest = "resident_request", "居民诉求";
        /// The 12345 hotline (12345热线).
        Hotline12345 = "hotline_12345", "12345热线";
        /// Assigned from above (上级交办).
        AssignedFromAbove = "assigned_from_above", "上级交办";
    }
);

code_enum!(
    /// Where an event is in the closed loop (derived from its steps).
    EventStatus, fallback Reported, {
        /// Reported, waiting to be accepted (待受理).
        Reported = "reported", "待受理";
        /// Sent back to the reporter for detail (已退回).
        Returned = "returned", "已退回";
        /// Accepted by the grid, to dispatch or self-resolve (已受理).
        Accepted = "accepted", "已受理";
        /// Dispatched to a unit, not yet taken (已派遣).
        Dispatched = "dispatched", "已派遣";
        /// Taken by the unit, being handled (处置中).
        Handling = "handling", "处置中";
        /// The unit reported it resolved (已反馈).
        Resolved = "resolved", "已反馈";
        /// Checked on site by the grid (已核查).
        Verified = "verified", "已核查";
        /// Closed (已结案).
        Closed = "closed", "已结案";
        /// Cancelled (已注销).
        Cancelled = "cancelled", "已注销";
    }
);

code_enum!(
    /// A step of the closed loop.
    StepAction, fallback Supplement, {
        /// Accept (受理).
        Accept = "accept", "受理";
        /// Cancel (注销).
        Cancel = "cancel", "注销";
        /// Send back to the reporter for detail (退回).
        SendBack = "send_back", "退回";
        /// The reporter answers a send-back (补充).
        Supplement = "supplement", "补充";
        /// Dispatch to an assignee (派遣).
        Dispatch = "dispatch", "派遣";
        /// The assignee takes it (签收).
        Take = "take", "签收";
        /// The assignee asks for more time (申请延时).
        RequestExtension = "request_extension", "申请延时";
        /// The grid grants it (批准延时).
        GrantExtension = "grant_extension", "批准延时";
        /// The assignee returns it for re-dispatch (退办).
        ReturnByUnit = "return_by_unit", "退办";
        /// The assignee reports it resolved (反馈).
        Resolve = "resolve", "反馈";
        /// Checked on site by someone other than the resolver (核查).
        Verify = "verify", "核查";
        /// The check failed: back to the assignee (督办).
        RejectVerification = "reject_verification", "督办";
        /// Close (结案).
        Close = "close", "结案";
        /// The grid closes its own routine event (自办自结).
        SelfResolve = "self_resolve", "自办自结";
        /// Raise the whistle level (升级吹哨).
        Escalate = "escalate", "升级";
    }
);

code_enum!(
    /// The residents' satisfaction when an event is closed.
    Satisfaction, fallback BasicallySatisfied, {
        /// Satisfied (满意).
        Satisfied = "satisfied", "满意";
        /// Basically satisfied (基本满意).
        BasicallySatisfied = "basically_satisfied", "基本满意";
        /// Dissatisfied (不满意).
        Dissatisfied = "dissatisfied", "不满意";
    }
);

code_enum!(
    /// Why a worker may not take a step on an event, besides role and status.
    StepRefusal, fallback NotAssignee, {
        /// Only the reporter supplements a sent-back event.
        NotReporter = "not_reporter", "仅上报人可补充";
        /// Only the current assignee takes, handles or returns it.
        NotAssignee = "not_assignee", "仅承办人可操作";
        /// The worker who resolved it may not verify it.
        ResolverMayNotVerify = "resolver_may_not_verify", "反馈人不能核查";
        /// Only a routine (level 1) event is self-resolved.
        NotRoutineLevel = "not_routine_level", "仅常规哨可自办自结";
        /// No extension was requested.
        NoExtensionRequested = "no_extension_requested", "未申请延时";
    }
);

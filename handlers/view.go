package handlers

import (
	"cmp"
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// View: where the line goes (IDC location, network location), the port
// (device, port, port type, bandwidth) and the physical connection ID, shown
// only to the user who asked; the viewing is recorded.

// pressView records the view and shows the port information: in a modal
// when pressed in App Home or a modal, else as an ephemeral message.
func (a *App) pressView(ctx context.Context, p press) {
	w := a.forUser(ctx, p.cb.User.ID)
	if _, err := a.store.Act(ctx, p.actor, p.conn, models.ActInput{Action: models.ActionViewPort}); err != nil {
		a.failPress(ctx, p, err)
		return
	}
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	blocks := append([]slack.Block{slack.NewHeaderBlock(plain("Port information · " + pcID(&d.Connection)))}, portBlocks(d)...)
	blocks = append(blocks, slack.NewContextBlock("", md(statusLine(w, &d.Connection))))
	if p.cb.Container.Type == "view" || p.cb.ResponseURL == "" && channelOf(p.cb) == "" {
		a.openModal(ctx, p, modal("ll_v_port", "Port information", "", "Close", meta{}, blocks))
		return
	}
	if p.cb.ResponseURL != "" {
		err = a.resp.Respond(ctx, p.cb.ResponseURL, ephemeral(blocks...))
	} else {
		_, err = a.slack.PostEphemeralContext(ctx, channelOf(p.cb), p.cb.User.ID, slack.MsgOptionBlocks(blocks...), slack.MsgOptionText("Port information of "+pcID(&d.Connection), false))
	}
	if err != nil {
		a.log.ErrorContext(ctx, "show port information", "err", err)
	}
}

// portBlocks is the port information of a connection: IDC location,
// network location, port, physical connection ID.
func portBlocks(d *models.Detail) []slack.Block {
	c := &d.Connection
	ap := &d.AccessPoint
	region := cmp.Or(d.Region.Name, ap.RegionID)
	port := c.PortName
	if port == "" {
		port = "allocated on payment"
	}
	device := c.DeviceID
	if device == "" {
		device = "allocated on payment"
	}
	blocks := []slack.Block{slack.NewSectionBlock(md("*IDC location*"), nil, nil)}
	blocks = append(blocks, factBlocks([]fact{
		{label: "IDC", value: ap.IDCName},
		{label: "Address", value: ap.IDCAddress},
		{label: "Access point location", value: ap.Location},
		{label: "Region", value: region},
	})...)
	blocks = append(blocks, slack.NewSectionBlock(md("*Network location*"), nil, nil))
	blocks = append(blocks, factBlocks([]fact{
		{label: models.FieldAccessPoint, value: apName(d)},
		{label: "Physical connection ID", value: "`" + pcID(c) + "`", md: true},
		{label: models.FieldProvider, value: providerName(d)},
		{label: "Customer IDC", value: c.Location},
	})...)
	blocks = append(blocks, slack.NewSectionBlock(md("*Port information*"), nil, nil))
	return append(blocks, factBlocks([]fact{
		{label: "Device", value: device},
		{label: "Port", value: port},
		{label: models.FieldPortType, value: string(c.PortType)},
		{label: models.FieldBandwidth, value: fmt.Sprintf("%d Mbps", c.BandwidthMbps)},
	})...)
}
